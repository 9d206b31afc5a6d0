"""The race radio (its rows built by `tui.panels.radio`): every message, wrapped at the panel's
width, the newest in view.

A scrolling view of its own rather than Textual's `RichLog`: it wraps its messages again when
its width changes (a log keeps the rows it wrapped), holds them until it has a width (the first
picture is drawn before the first layout), and importing it costs nothing (`RichLog` brings
Rich's pretty-printer and attrs: a twentieth of a second at every start)."""

from __future__ import annotations

from collections import deque

from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from race.situation import Alert, Situation
from tui.panels.lines import Line
from tui.panels.radio import by_time, radio_line
from tui.panels.view import ViewContext

MAX_ROWS = 500
"""The rows the radio keeps (older ones scroll out)."""


class RaceRadio(ScrollView, can_focus=True):
    """Appends only what it has not shown yet (a burst of situations may skip some)."""

    DEFAULT_CSS = """
    RaceRadio {
        background: $surface;
        color: $foreground;
        overflow-y: scroll;
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__(id="radio")
        self.border_title = "RACE RADIO"
        self._alerts_shown = 0
        self._news_shown = 0
        self._messages: deque[Content] = deque(maxlen=MAX_ROWS)
        """The messages shown, to wrap them again at a new width."""
        self._rows: list[Strip] = []
        """Every message's rows, wrapped at `_wrapped_at` columns."""
        self._newest_rows = 0
        """How many rows the newest message wrapped into."""
        self._wrapped_at = 0
        """The width the rows were wrapped at (0: not yet)."""
        self._wrapped_in = ""
        """The theme the rows were wrapped in (their colours are its)."""
        self._drawn: dict[tuple[int, int, int], Strip] = {}
        """Rows drawn, by their index, the scroll's column and the width."""

    @property
    def lines(self) -> list[Strip]:
        """The rows, as wrapped now."""
        return self._rows

    def on_resize(self, event: Resize) -> None:
        self._wrap_again()
        # Made shorter after its last line (the screen's rows shared again), the log would
        # keep its old scroll offset and hide the newest line.
        self._keep_newest_in_view()

    def notify_style_update(self) -> None:
        # A new theme: every message is wrapped and drawn again in its colours (a row keeps
        # the colours its theme variables had when it was wrapped).
        self._drawn.clear()
        if self._wrapped_at and self._wrapped_in != self.app.theme:
            self._wrapped_at = 0
            self._wrap_again()
        super().notify_style_update()

    def _keep_newest_in_view(self) -> None:
        """The end of the log, or the newest message's first rows when it is taller than the
        log: on one or two rows, the time and the start of the news, never its wrapped tail."""
        height = self.scrollable_content_region.height
        if 0 < height < self._newest_rows:
            self.scroll_to(y=len(self._rows) - self._newest_rows, animate=False, immediate=True)
        else:
            self.scroll_end(animate=False, immediate=True)

    def unseen_alerts(self, situation: Situation) -> list[Alert]:
        """The alerts that showing `situation` will add (the app toasts the serious ones)."""
        return list(situation.alerts[self._alerts_shown :])

    def show(self, situation: Situation, view: ViewContext) -> None:
        alerts = situation.alerts[self._alerts_shown :]
        news = situation.news[self._news_shown :]
        self._alerts_shown = len(situation.alerts)
        self._news_shown = len(situation.news)
        texts = [_content(radio_line(item, situation.timezone)) for item in by_time(alerts, news)]
        if not texts:
            return
        self._messages.extend(texts)
        if not self._wrap_again():
            self._add(texts)
        self._keep_newest_in_view()

    def _wrap_again(self) -> bool:
        """Wrap every message again when the log's width is no longer the one its rows were
        wrapped at; whether it did, or waits for a width (not laid out yet)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return True
        if width == self._wrapped_at:
            return False
        self._rows = []
        self._wrapped_at = width
        self._wrapped_in = self.app.theme
        self._add(list(self._messages))
        return True

    def _add(self, texts: list[Content]) -> None:
        """Wrap `texts` at the log's width, after its rows, their theme variables ("$warning")
        read from the theme in force."""
        style = self.visual_style
        for text in texts:
            rows = Visual.to_strips(self, text, self._wrapped_at, None, style)
            self._rows.extend(rows or [Strip.blank(self._wrapped_at)])
            self._newest_rows = max(1, len(rows))
        del self._rows[:-MAX_ROWS]
        self._drawn.clear()
        widest = max((row.cell_length for row in self._rows), default=0)
        self.virtual_size = Size(widest, len(self._rows))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self.rich_style
        index = scroll_y + y
        if index >= len(self._rows):
            return Strip.blank(width, style).apply_style(style)
        key = (index, scroll_x, width)
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = self._rows[index].crop_extend(scroll_x, scroll_x + width, style)
            self._drawn[key] = drawn
        return drawn.apply_style(style)


def _content(row: Line) -> Content:
    """`row` as Textual content, each part in its own style."""
    return Content.assemble(*row.parts)
