"""The lead-out panel: each sprinter's train in the bunch, and whether he is on the wheel."""

from __future__ import annotations

from textual.events import Resize

from race.situation import Situation
from tui.panels.leadout import leadout_lines, leadout_title
from tui.widgets.panel import RowsPanel


class LeadoutPanel(RowsPanel):
    """Trains in the finale; the rows are built by `tui.panels.leadout.leadout_lines`, as many
    lead-out men in them as the panel's width holds."""

    def __init__(self) -> None:
        super().__init__("LEAD-OUT", id="leadout")
        self._shown_with: tuple[Situation, bool, float | None] | None = None

    def show(self, situation: Situation, *, wide: bool, data_age_s: float | None) -> None:
        self._shown_with = (situation, wide, data_age_s)
        self.border_title = leadout_title(situation)
        width = self.content_size.width or None
        self.set_rows(leadout_lines(situation, wide=wide, data_age_s=data_age_s, width=width))

    def on_resize(self, event: Resize) -> None:
        """The rows fit the width: build them again for the new one."""
        if self._shown_with is not None:
            situation, wide, data_age_s = self._shown_with
            self.show(situation, wide=wide, data_age_s=data_age_s)
