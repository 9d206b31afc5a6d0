"""Snapshots of the stage profile: its own screen at 80 columns, the race screen's strip at 160,
on the mountain stage at 20 km to go, in both themes. Update with
`pytest tests/tui/test_profile_snapshots.py -n0 --snapshot-update` after looking at the SVGs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.app import held_on_stage, wait_for
from tests.support.stages import engine_settings, mountain_at
from tui.app import ArdoiseApp
from tui.screens.profile import ProfileScreen

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


def mountain_app(
    theme: str, *, keys: tuple[str, ...] = ()
) -> tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    """The app held on the mountain stage at 20 km to go, and the `run_before` that waits for
    that frame and presses `keys`."""
    hold_at, _ = mountain_at(20.0)
    app = held_on_stage(
        "mountain",
        hold_at,
        engine_settings(),
        feed_label="simulated",
        theme=theme,
        monotonic=lambda: 0.0,
    )

    async def until_held(pilot: Pilot[Any]) -> None:
        await wait_for(lambda: app.situation.t == hold_at)
        app.clear_notifications()
        for key in keys:
            await pilot.press(key)
        if keys:
            await wait_for(lambda: isinstance(app.screen, ProfileScreen))
        for widget in app.screen.walk_children():
            widget.refresh()
        await pilot.pause()

    return app, until_held


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_profile_on_its_key_at_80_columns(snap_compare: SnapCompare, theme: str) -> None:
    app, until_held = mountain_app(theme, keys=("v",))
    assert snap_compare(app, terminal_size=(80, 24), run_before=until_held)


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_profile_strip_at_160_columns(snap_compare: SnapCompare, theme: str) -> None:
    app, until_held = mountain_app(theme)
    assert snap_compare(app, terminal_size=(160, 48), run_before=until_held)
