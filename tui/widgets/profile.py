"""The stage profile (its rows built by `tui.panels.profile`), as tall as the widget is."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from race.models import Stage
from race.situation import Situation
from tui.panels.profile import Mark, column, group_marks, profile_lines
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
        # Redraw only when a group moves to another cell (or is renamed); the marks kept are
        # always the latest, for whatever draws the widget next (a resize).
        changed = stage is not self._stage or self._cells(stage, marks) != self._cells(
            stage, self._marks
        )
        self._stage = stage
        self._marks = marks
        # No profile from the feed (a recording without the route): no empty rows.
        self.set_class(stage is None or len(stage.profile) < 2, "-empty")
        if changed:
            self.refresh()

    def _cells(
        self, stage: Stage | None, marks: tuple[Mark, ...]
    ) -> tuple[tuple[int, str, bool, bool], ...]:
        width = self.size.width
        if stage is None or width <= 0:
            return ()
        return tuple((column(stage, width, m.km), m.name, m.head, m.mine) for m in marks)

    def render(self) -> Content:
        rows = profile_lines(self._stage, self._marks, self.size.width, self.size.height)
        return Content("\n").join(Content.assemble(*row.parts) for row in rows)
