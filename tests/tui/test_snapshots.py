"""Deterministic snapshots: each panel on a fixed situation, and the whole screen held at a time.

Situations come from the simulated stages (fixed seed) through the engine; the data-age clock is
fixed. Update with `pytest tests/tui/test_snapshots.py -n0 --snapshot-update` after checking the
SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from race.situation import Situation
from tests.support.app import held_on_stage, wait_for
from tests.support.stages import engine_settings, flat_at
from tests.tui.situations import flat_with_my_team, mountain_limit
from tui.app import ArdoiseApp
from tui.panels.view import ViewContext
from tui.themes import THEMES, VARIABLE_DEFAULTS
from tui.widgets.gaps import GapsPanel
from tui.widgets.leadout import LeadoutPanel
from tui.widgets.timelimit import TimeLimitPanel

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


class PanelHarness(App[None]):
    """One panel alone, showing one situation."""

    CSS_PATH = ArdoiseApp.CSS_PATH

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def __init__(
        self, panel: GapsPanel | TimeLimitPanel | LeadoutPanel, situation: Situation
    ) -> None:
        super().__init__()
        self.panel = panel
        self.situation = situation

    def compose(self) -> ComposeResult:
        yield self.panel

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = "ardoise"
        self.panel.show(self.situation, ViewContext(width=self.size.width, data_age_s=2.0))


def test_gaps_panel_break_and_peloton(snap_compare: SnapCompare) -> None:
    _, situation = flat_at(60.0)
    assert snap_compare(PanelHarness(GapsPanel(), situation), terminal_size=(80, 8))


def test_time_limit_panel_flat(snap_compare: SnapCompare) -> None:
    _, situation = flat_at(60.0)
    assert snap_compare(PanelHarness(TimeLimitPanel(), situation), terminal_size=(80, 6))


def test_time_limit_panel_mountain_grupetto(snap_compare: SnapCompare) -> None:
    situation = mountain_limit().at_20km
    assert snap_compare(PanelHarness(TimeLimitPanel(), situation), terminal_size=(80, 10))


def test_time_limit_panel_mountain_countdown(snap_compare: SnapCompare) -> None:
    """Ten minutes after the winner: the cut is final, the grupetto counts down in danger."""
    situation = mountain_limit().after_winner
    assert snap_compare(PanelHarness(TimeLimitPanel(), situation), terminal_size=(80, 10))


def test_leadout_panel_at_5km(snap_compare: SnapCompare) -> None:
    _, situation = flat_at(5.0)
    assert snap_compare(PanelHarness(LeadoutPanel(), situation), terminal_size=(80, 12))


def test_leadout_panel_at_1km_wide(snap_compare: SnapCompare) -> None:
    _, situation = flat_at(1.0)
    assert snap_compare(PanelHarness(LeadoutPanel(), situation), terminal_size=(140, 12))


def test_leadout_panel_at_1km(snap_compare: SnapCompare) -> None:
    _, situation = flat_at(1.0)
    assert snap_compare(PanelHarness(LeadoutPanel(), situation), terminal_size=(80, 12))


def test_leadout_panel_wheel_lost_my_team(snap_compare: SnapCompare) -> None:
    assert snap_compare(
        PanelHarness(LeadoutPanel(), flat_with_my_team().wheel_lost), terminal_size=(80, 12)
    )


def held_app(km: float) -> tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    """The whole app on the flat stage holding at the frame where the head is at `km`, and the
    `run_before` that waits until that frame is on screen."""
    hold_at, _ = flat_at(km)
    app = held_on_stage(
        "flat", hold_at, engine_settings(), feed_label="simulated", monotonic=lambda: 0.0
    )

    async def until_held(pilot: Pilot[Any]) -> None:
        await wait_for(lambda: app.situation.t == hold_at)
        # Alerts pop up as toasts that last a few seconds of wall time: whether one is still
        # up depends on how fast the replay ran, so none is kept.
        app.clear_notifications()
        # Redraw everything once: how earlier partial updates split the lines into segments
        # depends on timing, and the snapshot should not.
        for widget in app.screen.walk_children():
            widget.refresh()
        await pilot.pause()

    return app, until_held


def test_whole_screen_80x24(snap_compare: SnapCompare) -> None:
    app, until_held = held_app(14.0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=until_held)


def test_whole_screen_wide(snap_compare: SnapCompare) -> None:
    app, until_held = held_app(5.0)
    assert snap_compare(app, terminal_size=(160, 45), run_before=until_held)
