"""The gap chart (`g`) and the results (`r`, and by themselves at the finish) under the pilot."""

from __future__ import annotations

import pytest

from tests.support.app import held_on_stage, wait_for
from tests.support.stages import engine_settings, mountain_at
from tui.app import ArdoiseApp
from tui.panels.gapchart import CATCH_MARK, gap_chart
from tui.screens.gapchart import GapChartScreen
from tui.screens.results import ResultsScreen

pytestmark = pytest.mark.slow


def app_on(scenario: str, hold_at: float | None) -> ArdoiseApp:
    return held_on_stage(
        scenario, hold_at, engine_settings(), feed_label="simulated", monotonic=lambda: 0.0
    )


async def test_the_chart_opens_on_g_follows_the_race_and_closes() -> None:
    hold_at, _ = mountain_at(20.0)
    app = app_on("mountain", hold_at)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.t == hold_at)
        await pilot.press("g")
        assert isinstance(app.screen, GapChartScreen)
        chart = app.screen.chart
        await wait_for(lambda: chart.size.width > 0)
        rows = [row.plain for row in gap_chart(app.race.gap_story(), 76, 20)]
        assert rows[0].startswith("  0:00┤"), "the head of the race at the top"
        assert CATCH_MARK in "".join(rows), "the mountain stage's catches are marked"
        assert any("time-limit cut" in row for row in rows), "the cut matters on this stage"
        await pilot.press("g")
        assert not isinstance(app.screen, GapChartScreen)
        await pilot.press("g")
        await pilot.press("escape")
        assert not isinstance(app.screen, GapChartScreen)


async def test_the_results_appear_by_themselves_at_the_finish_and_on_r() -> None:
    app = app_on("flat", None)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(lambda: isinstance(app.screen, ResultsScreen), within=180)
        assert app.situation.winner_finished
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        await wait_for(lambda: len(screen.lines) > 20)
        assert screen.lines[0].startswith("Stage result · provisional")
        winner = app.situation.roster.name(app.situation.winner or 0)
        assert winner in screen.lines[1]
        assert screen.lines[1].lstrip().startswith("1 ")
        assert screen.lines[20].lstrip().startswith("20 "), "the first twenty"
        await pilot.press("escape")
        assert not isinstance(app.screen, ResultsScreen)
        await pilot.pause()
        assert not isinstance(app.screen, ResultsScreen), "closed, it stays closed"
        await pilot.press("r")
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("r")
        assert not isinstance(app.screen, ResultsScreen)
