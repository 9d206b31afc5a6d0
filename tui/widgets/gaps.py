"""The time-gap panel (rows built by `tui.panels.gaps`)."""

from __future__ import annotations

from race.situation import Situation
from tui.panels.gaps import gap_lines
from tui.panels.view import ViewContext
from tui.widgets.panel import RowsPanel


class GapsPanel(RowsPanel):
    def __init__(self) -> None:
        super().__init__("TIME GAPS", id="gaps")

    def show(self, situation: Situation, view: ViewContext) -> None:
        self.set_rows(gap_lines(situation, view.my_team, wide=view.wide))
