"""Snapshots of the results screen at the end of the simulated flat stage (the engine's own
result: the first twenty, the groups at the line, the cut), at 80x24 and 160x48 in both themes;
and with three riders the feed lost on the road, at 160x48.
Update with `pytest tests/tui/test_results_snapshots.py -n0 --snapshot-update` after looking."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App

from race.story import StageResults
from tests.support.stages import riders_lost, stage_run
from tui.app import ArdoiseApp
from tui.screens.results import ResultsScreen
from tui.themes import THEMES, VARIABLE_DEFAULTS

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


class ResultsHarness(App[None]):
    """The results screen alone, over an empty app, with the flat stage's result."""

    CSS_PATH = ArdoiseApp.CSS_PATH

    def __init__(self, theme: str, results: StageResults | None = None) -> None:
        super().__init__()
        self._theme = theme
        self._results = results

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = self._theme
        run = stage_run("flat")
        assert run.last is not None
        roster = run.last.roster
        results = self._results or run.results
        self.push_screen(ResultsScreen(lambda: (results, roster)))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_results_screen(snap_compare: SnapCompare, theme: str, size: tuple[int, int]) -> None:
    assert snap_compare(ResultsHarness(theme), terminal_size=size)


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_results_screen_with_riders_lost(snap_compare: SnapCompare, theme: str) -> None:
    results = riders_lost("flat", 3, 8.0).results
    assert snap_compare(ResultsHarness(theme, results), terminal_size=(160, 48))
