"""The time-gap panel: the groups on the road, their gaps, trends and where a catch will happen."""

from __future__ import annotations

from race.situation import Situation
from tui.panels.gaps import gap_lines
from tui.widgets.panel import RowsPanel


class GapsPanel(RowsPanel):
    def __init__(self) -> None:
        super().__init__("TIME GAPS", id="gaps")

    def show(self, situation: Situation, my_team: str | None, *, wide: bool = False) -> None:
        self.set_rows(gap_lines(situation, my_team, wide=wide))
