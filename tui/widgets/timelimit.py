"""The time-limit panel: the day's cut, projected live, and each group's margin to it."""

from __future__ import annotations

from race.situation import Situation
from tui.panels.timelimit import time_limit_lines
from tui.widgets.panel import RowsPanel


class TimeLimitPanel(RowsPanel):
    def __init__(self) -> None:
        super().__init__("TIME LIMIT", id="time-limit")

    def show(self, situation: Situation) -> None:
        self.set_rows(time_limit_lines(situation))
