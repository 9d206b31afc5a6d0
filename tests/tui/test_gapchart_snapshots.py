"""Snapshots of the gap chart on its key, on the mountain stage at 20 km to go (breaks, catches,
the cut), at 80x24 and 160x48 in both themes. Update with
`pytest tests/tui/test_gapchart_snapshots.py -n0 --snapshot-update` after looking at the SVGs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.app import held_on_stage, wait_for
from tests.support.stages import engine_settings, mountain_at
from tui.screens.gapchart import GapChartScreen

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_gap_chart(snap_compare: SnapCompare, theme: str, size: tuple[int, int]) -> None:
    hold_at, _ = mountain_at(20.0)
    app = held_on_stage(
        "mountain",
        hold_at,
        engine_settings(),
        feed_label="simulated",
        theme=theme,
        monotonic=lambda: 0.0,
    )

    async def open_chart(pilot: Pilot[Any]) -> None:
        await wait_for(lambda: app.situation.t == hold_at)
        app.clear_notifications()
        await pilot.press("g")
        await wait_for(lambda: isinstance(app.screen, GapChartScreen))
        for widget in app.screen.walk_children():
            widget.refresh()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_chart)
