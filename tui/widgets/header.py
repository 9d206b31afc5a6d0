"""The header (its text built by `tui.panels.header`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from race.situation import Situation
from tui.panels.header import feed_status_line, race_status_line, title_line
from tui.panels.lines import Line
from tui.panels.view import ViewContext


class RaceHeader(Horizontal):
    """Race and stage; km to go, clock and race time; the feed's state and the data's age."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = Static(id="title")
        self._race_status = Static(id="race-status")
        self._feed_status = Static(id="feed-status")
        self._shown: dict[Static, Line] = {}

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._race_status
        yield self._feed_status

    def show(self, situation: Situation, view: ViewContext) -> None:
        self._put(self._title, title_line(situation, view.width))
        self._put(self._race_status, race_status_line(situation, view))
        self._put(self._feed_status, feed_status_line(view, situation))

    def _put(self, widget: Static, row: Line) -> None:
        # Shown with every picture and every second: redraw a part only when it changed.
        before = self._shown.get(widget)
        if before == row:
            return
        self._shown[widget] = row
        content = Content.assemble(*row.parts)
        # The feed's state is as wide as its text: lay the header out again only when the
        # width changes (the data's age ticking from 1 s to 2 s does not).
        same_width = before is not None and Content.assemble(*before.parts).cell_length == (
            content.cell_length
        )
        widget.update(content, layout=not same_width)
        if row.classes:
            widget.set_classes(row.classes)
