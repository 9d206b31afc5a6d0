"""The stage profile (its rows built by `tui.panels.profile`), as tall as the widget is."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from race.models import Stage
from race.situation import Situation
from tui.panels.lines import Line
from tui.panels.profile import Mark, Road, column, group_marks, profile_lines, road
from tui.panels.view import ViewContext
from tui.widgets.strips import content_strip


class ProfileStrip(Widget):
    """Altitude, climbs, the groups by name and km marks, in as many rows as its height.

    It draws its rows itself: a group moving repaints the rows of the marks and the names
    only (the road, the climbs and the km marks stay as drawn)."""

    def __init__(self, *, id: str | None = "profile") -> None:
        super().__init__(id=id)
        self._stage: Stage | None = None
        self._marks: tuple[Mark, ...] = ()
        self._lines: list[Line] = []
        self._lines_for: tuple[int, tuple[Mark, ...], int, int] | None = None
        """What `_lines` were made for: the stage (by identity), the marks, width and height."""
        self._road: tuple[Stage | None, int, int, Road | None] | None = None
        """The road drawn for a stage at a width and height: it stays while the groups move."""
        self._drawn: dict[int, tuple[Line, int, Style, Strip]] = {}
        """Each row drawn: its line, width and style, and the strip drawn for them."""

    def show(self, situation: Situation, view: ViewContext) -> None:
        stage = situation.stage
        marks = group_marks(situation, view.my_team)
        # Redraw only when a group moves to another cell (or is renamed); the marks kept are
        # always the latest, for whatever draws the widget next (a resize).
        changed = stage is not self._stage or self._cells(stage, marks) != self._cells(
            stage, self._marks
        )
        before = self.rows
        self._stage = stage
        self._marks = marks
        # No profile from the feed (a recording without the route): no empty rows.
        self.set_class(stage is None or len(stage.profile) < 2, "-empty")
        if changed:
            after = self.rows
            width = self.size.width
            for y in range(max(len(before), len(after))):
                if y >= len(before) or y >= len(after) or before[y] != after[y]:
                    self.refresh(Region(0, y, width, 1))

    def _cells(
        self, stage: Stage | None, marks: tuple[Mark, ...]
    ) -> tuple[tuple[int, str, bool, bool], ...]:
        width = self.size.width
        if stage is None or width <= 0:
            return ()
        return tuple((column(stage, width, m.km), m.name, m.head, m.mine) for m in marks)

    @property
    def rows(self) -> list[Line]:
        """The profile's rows at the widget's size (made again only when something changed)."""
        width, height = self.size
        key = (id(self._stage), self._marks, width, height)
        if key != self._lines_for:
            if self._road is None or self._road[:3] != (self._stage, width, height):
                self._road = (self._stage, width, height, road(self._stage, width, height))
            drawn = self._road[3]
            self._lines = profile_lines(self._stage, self._marks, width, height, drawn=drawn)
            self._lines_for = key
        return self._lines

    def render(self) -> Content:
        """The whole profile as text (what `render_line` draws row by row)."""
        return Content("\n").join(Content.assemble(*row.parts) for row in self.rows)

    def render_line(self, y: int) -> Strip:
        rows, width, style = self.rows, self.size.width, self.visual_style
        if y >= len(rows):
            return Strip.blank(width, style.rich_style)
        drawn = self._drawn.get(y)
        selecting = self.text_selection is not None
        if drawn is not None and drawn[:3] == (rows[y], width, style) and not selecting:
            return drawn[3]
        strip = content_strip(self, Content.assemble(*rows[y].parts), width, style, y)
        if not selecting:  # A row highlighted by the mouse is drawn again once let go.
            self._drawn[y] = (rows[y], width, style, strip)
        return strip
