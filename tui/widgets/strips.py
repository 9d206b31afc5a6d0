"""A line of `Content` drawn as a strip by a widget that draws its own lines (the Line API)."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget


def content_strip(widget: Widget, content: Content, width: int, style: Style, y: int = 0) -> Strip:
    """`content` (one line) on a row `width` cells wide, as line `y` of a text widget draws
    it (`Visual.to_strips`): the same segments, each style with its offset for text selection,
    the text cut with an ellipsis or wrapped as `widget`'s styles say when it does not fit.
    Made directly when it fits, a few times faster; not padded to `width`."""
    plain = content.plain
    if content.cell_length > width or "\n" in plain or "\t" in plain:
        strips = Visual.to_strips(widget, content, width, 1, style)
        return strips[0] if strips else Strip.blank(width, style.rich_style)
    segments: list[Segment] = []
    x = 0
    for text, text_style in content.render(style, end="", parse_style=_parse_style):
        segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, y)))
        x += len(text)
    return Strip(segments, content.cell_length)


def _parse_style(style: str | Style) -> Style:
    """A part's style, as a widget parses its content's (theme variables resolved)."""
    return style if isinstance(style, Style) else Style.parse(style)
