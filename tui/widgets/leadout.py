"""The lead-out panel: each sprinter's train in the bunch, and whether he is on the wheel."""

from __future__ import annotations

from race.situation import Situation
from tui.lines import leadout_lines, leadout_title
from tui.widgets.panel import RowsPanel


class LeadoutPanel(RowsPanel):
    def __init__(self) -> None:
        super().__init__("LEAD-OUT", id="leadout")

    def show(self, situation: Situation, *, wide: bool, data_age_s: float | None) -> None:
        self.border_title = leadout_title(situation)
        self.set_rows(leadout_lines(situation, wide=wide, data_age_s=data_age_s))
