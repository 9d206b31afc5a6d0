"""The time trial mid-stage on the whole screen at 80x24, 120x36 and 160x48 (the shared
recording of stage 16, held at one frame): riders on course, finished and to start in the
header, the standings on comparable splits, the time trial's own cut, riders not groups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from race.models import Telemetry
from tests.support.app import wait_for
from tests.support.recordings import replayed
from tests.support.stages import STAGE_16, engine_settings, needs_stage_16
from tui.app import ArdoiseApp

pytestmark = [pytest.mark.slow, needs_stage_16]

SnapCompare = Callable[..., bool]
MID_STAGE_T = 1784640000.0
"""About two hours in: 23 riders on course, 51 finished, Ganna the provisional leader."""


def held_time_trial() -> tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    hold_at = max(
        e.t for e in replayed(STAGE_16) if isinstance(e, Telemetry) and e.t <= MID_STAGE_T
    )
    app = ArdoiseApp(
        RecordingFeed(RecordingOptions(path=STAGE_16, speed=0)),
        engine_settings(),
        feed_label="recording",
        hold_at=hold_at,
        monotonic=lambda: 0.0,
    )

    async def until_held(pilot: Pilot[Any]) -> None:
        await wait_for(lambda: app.situation.t == hold_at)
        app.clear_notifications()
        for widget in app.screen.walk_children():
            widget.refresh()
        await pilot.pause()

    return app, until_held


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_time_trial_mid_stage(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app, until_held = held_time_trial()
    assert snap_compare(app, terminal_size=size, run_before=until_held)


@pytest.fixture
def held() -> tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    """Built outside the test's event loop (reading the recording runs one of its own)."""
    return held_time_trial()


async def test_a_time_trial_has_no_leadout_panel(
    held: tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]],
) -> None:
    app, until_held = held
    async with app.run_test(size=(80, 24)) as pilot:
        await until_held(pilot)
        assert not app.race_screen.leadout.display
        titles = [title for title, _ in app.race_screen.every_line()]
        assert all("LEAD-OUT" not in title for title in titles)
