"""The race radio (its rows built by `tui.panels.radio`)."""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from race.situation import Alert, Situation
from tui.panels.lines import Line
from tui.panels.radio import by_time, radio_line
from tui.panels.view import ViewContext

MAX_ROWS = 500
"""The messages the radio keeps (older ones scroll out)."""


class RaceRadio(RichLog):
    """Appends only what it has not shown yet (a burst of situations may skip some)."""

    def __init__(self) -> None:
        super().__init__(
            id="radio", markup=False, wrap=True, max_lines=MAX_ROWS, min_width=30, auto_scroll=False
        )
        self.border_title = "RACE RADIO"
        self._alerts_shown = 0
        self._news_shown = 0
        self._newest_rows = 0
        """How many rows the newest message wrapped into."""
        self._messages: deque[Text] = deque(maxlen=MAX_ROWS)
        """The messages shown, to wrap them again at a new width."""
        self._wrapped_at = 0
        """The width they were wrapped at."""

    def on_resize(self, event: Resize) -> None:
        # RichLog's own first: at its first size it takes its writes held until then (this
        # handler runs before it, and its second run does nothing).
        super().on_resize(event)
        self._wrap_again()
        # Made shorter after its last line (the screen's rows shared again), the log would
        # keep its old scroll offset and hide the newest line.
        self._keep_newest_in_view()

    def _keep_newest_in_view(self) -> None:
        """The end of the log, or the newest message's first rows when it is taller than the
        log: on one or two rows, the time and the start of the news, never its wrapped tail."""
        height = self.scrollable_content_region.height
        if 0 < height < self._newest_rows:
            self.scroll_to(y=len(self.lines) - self._newest_rows, animate=False, immediate=True)
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
        texts = [_rich_text(radio_line(item, situation.timezone)) for item in by_time(alerts, news)]
        self._messages.extend(texts)
        if not self._wrap_again():
            self._write(texts)
        if texts:
            self._keep_newest_in_view()

    def _wrap_again(self) -> bool:
        """Write every message again when the log's width is no longer the one its rows were
        wrapped at (RichLog keeps the rows it wrapped: a widened window would keep them narrow);
        whether it did, or waits for a width (not laid out yet: the first picture is drawn
        before its first layout, and written at its first size). A situation drawn for the new
        size may come before the resize."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return True
        if width == self._wrapped_at:
            return False
        self.clear()
        self._write(list(self._messages))
        return True

    def _write(self, texts: list[Text]) -> None:
        # Wrap at the log's own width: RichLog otherwise measures against the console's,
        # which is not the terminal's in every environment.
        width = self.scrollable_content_region.width
        for text in texts:
            self.write(text, width=width, scroll_end=False)
            self._newest_rows = len(text.wrap(self.app.console, width))
        self._wrapped_at = width


def _rich_text(row: Line) -> Text:
    """`row` as Rich text. Its first part's style (the clock's dim) is the base style of the
    whole row: the text after the clock is drawn dimmed too, in its own style."""
    base, *rest = ((p, "") if isinstance(p, str) else p for p in row.parts)
    text = Text(base[0], style=base[1])
    for chunk, style in rest:
        text.append(chunk, style=style)
    return text
