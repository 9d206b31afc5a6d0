"""The lead-out panel (rows built by `tui.panels.leadout`)."""

from __future__ import annotations

from textual.events import Resize

from race.situation import Situation
from tui.panels.leadout import leadout_lines, leadout_title
from tui.panels.view import ViewContext
from tui.widgets.panel import RowsPanel


class LeadoutPanel(RowsPanel):
    """Trains in the finale, as many lead-out men in their rows as the panel's width holds."""

    def __init__(self) -> None:
        super().__init__("LEAD-OUT", id="leadout")
        self._shown_with: tuple[Situation, ViewContext] | None = None
        self._title = "LEAD-OUT"
        self._width = 0

    def show(self, situation: Situation, view: ViewContext) -> None:
        self._shown_with = (situation, view)
        title = leadout_title(situation)
        if title != self._title:  # Set, even the same title repaints the whole panel.
            self._title = title
            self.border_title = title
        # A column kept for the scrollbar that shows while the panel is being resized.
        width = max(0, self.content_size.width - 1) or None
        self.set_rows(
            leadout_lines(situation, wide=view.wide, data_age_s=view.data_age_s, width=width)
        )

    def on_resize(self, event: Resize) -> None:
        """The rows fit the width: build them again for a new one (not for a new height: the
        screen sets it after the rows, from them)."""
        width = self.content_size.width
        if self._shown_with is not None and width != self._width:
            self.show(*self._shown_with)
        self._width = width
