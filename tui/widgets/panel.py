"""What every panel of the race screen is, and the titled panel of text rows most of them are."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, Protocol

from rich.style import Style
from textual.color import Color
from textual.content import Content
from textual.css.scalar import Scalar
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style as VisualStyle

from race.situation import Situation
from tui.panels.fold import MORE_KEY, fold
from tui.panels.lines import Line
from tui.panels.view import ViewContext
from tui.widgets.strips import content_strip

ROW_CLASSES: tuple[str, ...] = (
    "-muted",
    "-info",
    "-mine",
    "-more",
    "-head",
    "-catch",
    "-basis",
    "-safe",
    "-tight",
    "-danger",
    "-outside",
    "-on_wheel",
    "-gap_opening",
    "-boxed",
    "-lost_wheel",
    "-out_of_position",
    "-unsure",
    "-unclaimed",
    "-selected",
)
"""The row classes the stylesheet styles (as `.row--<class>`), in the stylesheet's order: of
two that set the same property, the later one's holds (as the later of two rules would)."""


class Panel(Protocol):
    """A widget of the race screen: it shows a situation, as the view says."""

    def show(self, situation: Situation, view: ViewContext) -> None: ...


class RowsPanel(ScrollView):
    """A panel of `Line`s, one a row, drawn by the panel itself. Given a number of rows
    (`fit`), it folds its least important lines into a "+N more" line; otherwise it scrolls.

    A row's look comes from its classes, styled in the stylesheet as the component classes
    `row--<class>` (`ROW_CLASSES`). New lines repaint only the rows that changed: no widget is
    mounted or hidden, and nothing is laid out again unless the panel's height changes."""

    DEFAULT_CSS = """
    RowsPanel {
        height: auto;
        overflow-x: hidden;
        overflow-y: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"row-{name}" for name in ROW_CLASSES}
    DEFAULT_CLASSES = "panel"
    TITLE_ROWS = 1
    """The title's row (the top border) above the lines."""
    CHROME_COLUMNS = 3
    """Its padding (one column each side) and its scrollbar's column."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._all: list[Line] = []
        self._shown: list[Line] = []
        self._rows: int | None = None
        self._more_key = MORE_KEY
        self._styles: dict[tuple[frozenset[str], VisualStyle], tuple[VisualStyle, Style]] = {}
        """A row's style by its classes and the panel's own style (the stylesheet's, cached)."""
        self._drawn: dict[int, tuple[Line, int, VisualStyle, Strip]] = {}
        """Each row drawn: its line, width and style, and the strip drawn for them."""

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
        # As tall as its rows, whatever the lines: no layout for a line more or less.
        self.virtual_size = Size(0, self._rows)
        self._put(fold(self._all, self._rows, more_key))

    def text_columns(self, view: ViewContext) -> int:
        """The columns its rows have: its content's, or before its first layout (the first
        picture is drawn before it) the screen's less its chrome, as one panel a row."""
        return self.content_size.width or max(0, view.width - self.CHROME_COLUMNS)

    @property
    def all_lines(self) -> list[Line]:
        """Every line, shown or folded."""
        return list(self._all)

    @property
    def lines(self) -> list[Line]:
        """The lines shown now."""
        return list(self._shown)

    def _put(self, rows: Sequence[Line]) -> None:
        rows = list(rows)
        if rows == self._shown:
            return
        before, self._shown = self._shown, rows
        if self._rows is None:  # Not fitted: it scrolls over its lines.
            self.virtual_size = Size(0, len(rows))
        self.refresh_rows(i for i in range(max(len(rows), len(before))) if _differ(before, rows, i))

    def refresh_rows(self, indexes: Iterable[int]) -> None:
        """Repaint the rows at `indexes` (counted from the first line, scrolled or not)."""
        for index in indexes:
            self.refresh_line(index)

    def row_classes(self, index: int) -> frozenset[str]:
        """The classes the row at `index` is drawn with (a subclass adds its own)."""
        return self._shown[index].classes

    def row_at(self, y: int) -> int | None:
        """The index of the line shown at `y` rows below the title, None below the last."""
        index = y + round(self.scroll_offset.y)
        return index if 0 <= index < len(self._shown) else None

    def notify_style_update(self) -> None:
        # A new theme, or the panel's classes changed: every row's style is looked up again.
        self._styles.clear()
        self._drawn.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + round(self.scroll_offset.y)
        if index >= len(self._shown) or width <= 0:
            # Below the rows, the panel's background, as an empty container draws it.
            _, background = self.background_colors
            return Strip.blank(width, Style.from_color(bgcolor=background.rich_color))
        row = self._shown[index]
        style, padding = self._row_style(self.row_classes(index))
        drawn = self._drawn.get(index)
        selecting = self.text_selection is not None
        if drawn is not None and drawn[:3] == (row, width, style) and not selecting:
            return drawn[3]
        strip = content_strip(self, Content.assemble(*row.parts), width, style, index)
        strip = strip.adjust_cell_length(width, padding)
        if not selecting:  # A row highlighted by the mouse is drawn again once let go.
            self._drawn[index] = (row, width, style, strip)
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text of the rows the mouse selected (to copy)."""
        return selection.extract("\n".join(row.plain for row in self._shown)), "\n"

    def _row_style(self, classes: frozenset[str]) -> tuple[VisualStyle, Style]:
        """The style of a row with `classes`, as a widget with these classes in the panel
        would have it (`Widget.visual_style`), and its background's for the padding."""
        key = (classes, self.visual_style)
        found = self._styles.get(key)
        if found is not None:
            return found
        # The row's own rules: of two classes setting one property, the later one's.
        own_background: Color | None = None
        own_color: Color | None = None
        own_text = Style()
        auto = False
        for name in ROW_CLASSES:
            if name not in classes:
                continue
            rules = self.get_component_styles(f"row-{name}")
            if rules.has_rule("background"):
                own_background = rules.background.tint(rules.background_tint)
            if rules.has_rule("color"):
                own_color = rules.color
                auto = rules.has_rule("auto_color") and rules.auto_color
            if rules.has_rule("text_style"):
                own_text = rules.text_style
        panel = self.visual_style
        _, panel_background = self.background_colors
        background = panel_background
        if own_background is not None:
            background = panel_background + own_background
        color = panel.foreground if own_color is None else own_color
        if auto and color is not None:  # "auto": the colour reading best on the background.
            color = background.get_contrast_text(color.a)
        style = VisualStyle(
            background,
            color,
            bold=own_text.bold if own_text.bold is not None else panel.bold,
            dim=own_text.dim if own_text.dim is not None else panel.dim,
            italic=own_text.italic if own_text.italic is not None else panel.italic,
            reverse=own_text.reverse if own_text.reverse is not None else panel.reverse,
            underline=own_text.underline if own_text.underline is not None else panel.underline,
            strike=own_text.strike if own_text.strike is not None else panel.strike,
        )
        # What the row's padding would be drawn in (`StylesCache.get_inner_outer`).
        padding = VisualStyle(background=panel_background + background).rich_style
        self._styles[key] = (style, padding)
        return style, padding

    def region_of(self, index: int) -> Region:
        """The row at `index` in the panel's scrolled content."""
        return Region(0, index, self.scrollable_content_region.width, 1)


def _differ(before: list[Line], after: list[Line], index: int) -> bool:
    return index >= len(before) or index >= len(after) or before[index] != after[index]
