"""What every panel of the race screen is, and the titled panel of text rows most of them are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from race.situation import Situation
from tui.panels.lines import Line
from tui.panels.view import ViewContext


class Panel(Protocol):
    """A widget of the race screen: it shows a situation, as the view says."""

    def show(self, situation: Situation, view: ViewContext) -> None: ...


class RowsPanel(VerticalScroll):
    """A scrolling panel of `Line`s. `set_rows` reuses the row widgets it already has: only a
    row whose content changed is redrawn."""

    DEFAULT_CLASSES = "panel"

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._shown: list[Line] = []

    def set_rows(self, rows: Sequence[Line]) -> None:
        widgets = list(self.query_children(Static))
        for index, row in enumerate(rows):
            classes = {"row", *row.classes}
            if index >= len(widgets):
                self.mount(Static(Content.assemble(*row.parts), classes=" ".join(classes)))
            elif index >= len(self._shown) or self._shown[index] != row:
                widgets[index].update(Content.assemble(*row.parts))
                widgets[index].set_classes(classes)
        for widget in widgets[len(rows) :]:
            widget.remove()
        self._shown = list(rows)

    @property
    def lines(self) -> list[Line]:
        """The lines shown now."""
        return list(self._shown)
