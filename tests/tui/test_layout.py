"""The layout by priority at 80x24, 120x36 and 160x48: the flat finale at 1 km with my team,
and the mountain stage at 20 km with two groups outside the time limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from race.settings import TeamSettings
from tests.support.app import held_on_stage, wait_for
from tests.support.stages import engine_settings, flat_at, mountain_at
from tests.tui.situations import flat_with_my_team
from tui.app import ArdoiseApp
from tui.screens.more import MoreScreen
from tui.screens.race import RaceScreen

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (120, 36), (160, 48)]


def held(scenario: str, km: float) -> tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    """The app held at `km` to go on a simulated stage (the flat one with the team of its
    scripted wheel loss as my team), and the `run_before` that waits for that frame."""
    hold_at, _ = (flat_at if scenario == "flat" else mountain_at)(km)
    team = flat_with_my_team().team if scenario == "flat" else None
    app = held_on_stage(
        scenario,
        hold_at,
        engine_settings(team=TeamSettings(code=team)),
        feed_label="simulated",
        monotonic=lambda: 0.0,
    )

    async def until_held(pilot: Pilot[Any]) -> None:
        await wait_for(lambda: app.situation.t == hold_at)
        for widget in app.screen.walk_children():
            widget.refresh()
        await pilot.pause()

    return app, until_held


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_flat_finale_at_1km_with_my_team(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app, until_held = held("flat", 1.0)
    assert snap_compare(app, terminal_size=size, run_before=until_held)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mountain_at_20km(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app, until_held = held("mountain", 20.0)
    assert snap_compare(app, terminal_size=size, run_before=until_held)


def _regions(screen: RaceScreen) -> dict[str, Region]:
    widgets = [screen.gaps, screen.time_limit, screen.leadout, screen.radio, screen.popup]
    return {str(w.id): w.region for w in widgets if w.display and w.region.height > 0}


def _no_overlap(screen: RaceScreen) -> None:
    regions = _regions(screen)
    for name, region in regions.items():
        assert screen.region.contains_region(region), name
        for other, second in regions.items():
            if other != name:
                assert not region.overlaps(second), (name, other)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_outside_groups_on_screen_on_the_mountain(size: tuple[int, int]) -> None:
    app, until_held = held("mountain", 20.0)
    async with app.run_test(size=size) as pilot:
        await until_held(pilot)
        screen = app.race_screen
        _no_overlap(screen)
        outside = [ln.plain for ln in screen.time_limit.lines if "OUTSIDE" in ln.plain]
        assert len(outside) == 2, screen.time_limit.lines
        # Every row shown fits in its panel: none is below its bottom edge.
        assert len(screen.time_limit.lines) <= screen.time_limit.region.height - 1
        gaps = [ln.plain for ln in screen.gaps.lines]
        assert gaps[0 if size[0] < 120 else 1].startswith("Head of race")
        assert any(g.startswith("Yellow jersey") for g in gaps)
        hidden = len(screen.gaps.all_lines) - len(screen.gaps.lines)
        if hidden:
            assert gaps[-1] == f"+{hidden + 1} more · m shows every row"

        await pilot.press("m")
        await wait_for(lambda: isinstance(app.screen, MoreScreen))
        more = app.screen
        assert isinstance(more, MoreScreen)
        for ln in screen.gaps.all_lines:
            assert ln.plain in more.text
        # Every row whole on one line: the popup is as wide as the panels the rows were made for.
        widest = max(len(ln.plain) for _, lines in more.sections for ln in lines)
        assert widest <= more.query_one("#more").content_size.width
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, RaceScreen))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_flat_finale_keeps_my_train_and_the_first_four(size: tuple[int, int]) -> None:
    app, until_held = held("flat", 1.0)
    async with app.run_test(size=size) as pilot:
        await until_held(pilot)
        screen = app.race_screen
        _no_overlap(screen)
        shown = screen.leadout.lines
        teams = [t.team for t in app.situation.leadout]
        mine = flat_with_my_team().team
        for team in [*teams[:4], mine]:
            assert any(ln.plain.startswith(team) for ln in shown), (team, shown)
        # The gaps and the time limit keep the peloton and the cut.
        assert any(ln.plain.startswith("Peloton") for ln in screen.gaps.lines)
        assert "cut" in screen.time_limit.lines[0].plain
