"""Race radio: Ardoise's alerts and the feed's own news, by time, coloured by level."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from race.situation import Alert, Situation
from tui.panels import format as fmt

LEVEL_STYLES = {"info": "", "warning": "bold yellow", "critical": "bold red"}
NEWS_MARK = "» "
"""Prefix of the feed's own news, to tell them from Ardoise's alerts."""


class RaceRadio(RichLog):
    """Appends only what it has not shown yet (a burst of situations may skip some)."""

    def __init__(self) -> None:
        super().__init__(id="radio", markup=False, wrap=True, max_lines=500, min_width=30)
        self.border_title = "RACE RADIO"
        self._alerts_shown = 0
        self._news_shown = 0

    def show(self, situation: Situation) -> list[Alert]:
        """Write the new items; return the new alerts (the app toasts the serious ones)."""
        alerts = list(situation.alerts[self._alerts_shown :])
        news = list(situation.news[self._news_shown :])
        self._alerts_shown = len(situation.alerts)
        self._news_shown = len(situation.news)
        timezone = situation.timezone
        items = [(a.t, 1, a) for a in alerts] + [(n.t, 0, n) for n in news]
        for _, is_alert, item in sorted(items, key=lambda x: (x[0], x[1])):
            line = Text(fmt.clock(item.t, timezone)[:5] + " ", style="dim")
            if is_alert:
                line.append(item.text, style=LEVEL_STYLES[item.level])
            else:
                line.append(NEWS_MARK + item.text, style="italic")
            # Wrap at the log's own width: RichLog otherwise measures against the console's,
            # which is not the terminal's in every environment.
            width = self.scrollable_content_region.width
            self.write(line, width=width if width > 0 else None)
        return alerts
