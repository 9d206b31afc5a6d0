"""What every panel of the race screen is, and the titled panel of text rows most of them are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.scalar import Scalar
from textual.widgets import Static

from race.situation import Situation
from tui.panels.fold import MORE_KEY, fold
from tui.panels.lines import Line
from tui.panels.view import ViewContext


class Panel(Protocol):
    """A widget of the race screen: it shows a situation, as the view says."""

    def show(self, situation: Situation, view: ViewContext) -> None: ...


class RowsPanel(VerticalScroll):
    """A panel of `Line`s. Given a number of rows (`fit`), it folds its least important lines
    into a "+N more" line; otherwise it scrolls. Only a row whose content changed is redrawn."""

    DEFAULT_CLASSES = "panel"
    TITLE_ROWS = 1
    """The title's row (the top border) above the lines."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._all: list[Line] = []
        self._shown: list[Line] = []
        self._rows: int | None = None
        self._more_key = MORE_KEY

    def set_rows(self, rows: Sequence[Line]) -> None:
        """Every line the panel has to say; those shown depend on its rows (`fit`)."""
        self._all = list(rows)
        self._put(self._all if self._rows is None else fold(self._all, self._rows, self._more_key))

    def fit(self, height: int, more_key: str = MORE_KEY) -> None:
        """Show what `height` rows (the title's included) hold, the rest folded."""
        self._rows = max(0, height - self.TITLE_ROWS)
        self._more_key = more_key
        if self.styles.inline.height != Scalar.from_number(height):
            self.styles.height = height
        self._put(fold(self._all, self._rows, more_key))

    @property
    def all_lines(self) -> list[Line]:
        """Every line, shown or folded."""
        return list(self._all)

    def _put(self, rows: Sequence[Line]) -> None:
        if list(rows) == self._shown:
            return
        widgets = list(self.query_children(Static))
        for index, row in enumerate(rows):
            classes = {"row", *row.classes}
            if index >= len(widgets):
                self.mount(Static(Content.assemble(*row.parts), classes=" ".join(classes)))
                continue
            if index >= len(self._shown) or self._shown[index] != row:
                # A row is one line high whatever it holds (`.row`): no layout for new text.
                widgets[index].update(Content.assemble(*row.parts), layout=False)
                widgets[index].set_classes(classes)
            if not widgets[index].display:
                widgets[index].display = True
        for widget in widgets[len(rows) :]:
            # Hidden, not removed: a row shown again is not mounted again (a mount lays the
            # screen out once more, a frame later).
            if widget.display:
                widget.display = False
        self._shown = list(rows)

    @property
    def lines(self) -> list[Line]:
        """The lines shown now."""
        return list(self._shown)
