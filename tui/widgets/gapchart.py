"""The gap chart (its rows built by `tui.panels.gapchart`), as large as the widget is."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from race.story import GapStory
from tui.panels.gapchart import gap_chart


class GapChart(Widget):
    """Each group's gap over the head's road; `show` a new story to redraw."""

    def __init__(self, *, id: str | None = "gap-chart") -> None:
        super().__init__(id=id)
        self._story: GapStory | None = None

    def show(self, story: GapStory) -> None:
        if story != self._story:
            self._story = story
            self.refresh()

    def render(self) -> Content:
        if self._story is None:
            return Content("")
        rows = gap_chart(self._story, self.size.width, self.size.height)
        return Content("\n").join(Content.assemble(*row.parts) for row in rows)
