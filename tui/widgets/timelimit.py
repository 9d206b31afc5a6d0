"""The time-limit panel (rows built by `tui.panels.timelimit`)."""

from __future__ import annotations

from race.situation import Situation
from tui.panels.timelimit import time_limit_lines
from tui.panels.view import ViewContext
from tui.widgets.panel import RowsPanel


class TimeLimitPanel(RowsPanel):
    def __init__(self) -> None:
        super().__init__("TIME LIMIT", id="time-limit")

    def show(self, situation: Situation, view: ViewContext) -> None:
        self.set_rows(time_limit_lines(situation, view.my_team))
