"""The race radio: Ardoise's alerts and the feed's own news, by time, styled by level."""

from __future__ import annotations

from collections.abc import Iterable

from race.situation import Alert, Situation
from tui.panels import format as fmt
from tui.panels.lines import Line, line

LEVEL_STYLES = {"info": "", "warning": "bold $warning", "critical": "bold $error"}
"""The theme's colours (each theme's are legible on its background: dark amber in sunlight)."""
NEWS_MARK = "» "
"""Prefix of the feed's own news, to tell them from Ardoise's alerts."""

RadioItem = tuple[Alert, bool]
"""An alert, or a news item of the feed's (True)."""


def by_time(alerts: Iterable[Alert], news: Iterable[Alert]) -> list[RadioItem]:
    """Alerts and news in time order; at the same time, the news first."""
    items = [(a, False) for a in alerts] + [(n, True) for n in news]
    return sorted(items, key=lambda item: (item[0].t, not item[1]))


def radio_line(item: RadioItem, timezone: str) -> Line:
    """ "14:52 Break: ..." or "14:52 » Crash in the peloton"; the first part is the clock."""
    alert, is_news = item
    clock = (fmt.clock(alert.t, timezone)[:5] + " ", "dim")
    if is_news:
        return line(clock, (NEWS_MARK + alert.text, "italic"))
    return line(clock, (alert.text, LEVEL_STYLES[alert.level]))


def radio_lines(situation: Situation) -> list[Line]:
    """Every alert and news item so far (the text report); at the same time the news first,
    then by text."""
    items = [(a, False) for a in situation.alerts] + [(n, True) for n in situation.news]
    items.sort(key=lambda item: (item[0].t, not item[1], item[0].text))
    return [radio_line(item, situation.timezone) for item in items]
