"""The stage profile strip (its cells built by `tui.panels.profile`)."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from race.models import Stage
from race.situation import Situation
from tui.panels.profile import Mark, group_marks, profile_line
from tui.panels.view import ViewContext


class ProfileStrip(Widget):
    """Altitude as block characters across the width; ◆ head of race, ● other groups."""

    def __init__(self) -> None:
        super().__init__(id="profile")
        self._stage: Stage | None = None
        self._marks: tuple[Mark, ...] = ()

    def show(self, situation: Situation, view: ViewContext) -> None:
        stage = situation.stage
        marks = group_marks(situation)
        # Redraw only when a group moves by a visible amount.
        width = max(1, self.size.width)
        scale = (stage.distance_km / width) if stage and stage.distance_km else 1.0
        coarse = tuple((round(km / scale), head) for km, head in marks)
        if stage is not self._stage or coarse != tuple(
            (round(km / scale), head) for km, head in self._marks
        ):
            self._stage = stage
            self._marks = marks
            self.refresh()

    def render(self) -> Content:
        return Content.assemble(*profile_line(self._stage, self._marks, self.size.width).parts)
