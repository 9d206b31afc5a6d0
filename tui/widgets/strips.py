"""A line of `Content` drawn as a strip by a widget that draws its own lines (the Line API)."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget


def content_strip(widget: Widget, content: Content, width: int, style: Style, y: int = 0) -> Strip:
    """`content` (one line) on a row `width` cells wide, as line `y` of a text widget draws
    it (`Visual.to_strips`): the same segments, each style with its offset (`y` the row) for
    text selection, the part of the row selected highlighted, the text cut with an ellipsis
    or wrapped as `widget`'s styles say when it does not fit. Made directly when it fits, a
    few times faster; not padded to `width`."""
    content = _selected(widget, content, widget.text_selection, y)
    plain = content.plain
    if content.cell_length > width or "\n" in plain or "\t" in plain:
        strips = Visual.to_strips(widget, content, width, 1, style, apply_selection=False)
        return strips[0] if strips else Strip.blank(width, style.rich_style)
    segments: list[Segment] = []
    x = 0
    for text, text_style in content.render(style, end="", parse_style=_parse_style):
        segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, y)))
        x += len(text)
    return Strip(segments, content.cell_length)


def _selected(widget: Widget, content: Content, selection: Selection | None, y: int) -> Content:
    """`content` with the part of row `y` the mouse selected in the screen's selection style."""
    span = selection.get_span(y) if selection is not None else None
    if span is None:
        return content
    start, end = span
    selected = Style.from_styles(widget.screen.get_component_styles("screen--selection"))
    return content.stylize(selected, start, len(content.plain) if end == -1 else end)


def _parse_style(style: str | Style) -> Style:
    """A part's style, as a widget parses its content's (theme variables resolved)."""
    return style if isinstance(style, Style) else Style.parse(style)
