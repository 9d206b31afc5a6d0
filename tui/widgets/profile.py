"""The stage profile (its rows built by `tui.panels.profile`), as tall as the widget is."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from race.models import Stage
from race.situation import Situation
from tui.panels.profile import Mark, group_marks, profile_lines
from tui.panels.view import ViewContext


class ProfileStrip(Widget):
    """Altitude, climbs, the groups by name and km marks, in as many rows as its height."""

    def __init__(self, *, id: str | None = "profile") -> None:
        super().__init__(id=id)
        self._stage: Stage | None = None
        self._marks: tuple[Mark, ...] = ()

    def show(self, situation: Situation, view: ViewContext) -> None:
        stage = situation.stage
        marks = group_marks(situation, view.my_team)
        # Redraw only when a group moves by a visible amount (or is renamed).
        if stage is not self._stage or self._cells(marks) != self._cells(self._marks):
            self._stage = stage
            self._marks = marks
            self.refresh()

    def _cells(self, marks: tuple[Mark, ...]) -> tuple[tuple[int, str, bool, bool], ...]:
        stage = self._stage
        width = max(1, self.size.width)
        scale = (width / stage.distance_km) if stage and stage.distance_km else 1.0
        return tuple((round(m.km * scale), m.name, m.head, m.mine) for m in marks)

    def render(self) -> Content:
        rows = profile_lines(self._stage, self._marks, self.size.width, self.size.height)
        return Content("\n").join(Content.assemble(*row.parts) for row in rows)
