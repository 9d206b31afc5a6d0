"""The header in the past, as pictures: 80 and 160 columns, both themes.

Update with `pytest tests/tui/test_timemachine_snapshots.py -n0 --snapshot-update` after
looking at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult

from race.models import FeedStatus
from race.situation import Situation
from tests.support.stages import flat_at
from tui.app import ArdoiseApp
from tui.panels.view import ViewContext
from tui.themes import THEMES, VARIABLE_DEFAULTS
from tui.widgets.header import RaceHeader

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


class PastHeader(App[None]):
    """The header alone, showing a situation of the past while the replay is further on."""

    CSS_PATH = ArdoiseApp.CSS_PATH

    def __init__(self, situation: Situation, theme: str, *, paused: bool = False) -> None:
        super().__init__()
        self.situation = situation
        self._theme = theme
        self._paused = paused
        self.header = RaceHeader(id="header")

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield self.header

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = self._theme
        view = ViewContext(
            width=self.size.width,
            data_age_s=2.0,
            feed=FeedStatus(state="live", at=0.0),
            feed_label="simulated",
            in_past=True,
            live_km=48.3,
            replay_speed=20.0,
            paused=self._paused,
            pause_key="p",
        )
        self.header.show(self.situation, view)


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
@pytest.mark.parametrize("columns", [80, 160])
def test_the_header_in_the_past(snap_compare: SnapCompare, columns: int, theme: str) -> None:
    _, situation = flat_at(60.0)
    assert snap_compare(PastHeader(situation, theme), terminal_size=(columns, 2))


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
@pytest.mark.parametrize("columns", [80, 160])
def test_the_header_in_the_past_paused(snap_compare: SnapCompare, columns: int, theme: str) -> None:
    """The past stops playing while paused, and the header says so."""
    _, situation = flat_at(60.0)
    app = PastHeader(situation, theme, paused=True)
    assert snap_compare(app, terminal_size=(columns, 2))
