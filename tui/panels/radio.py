"""The race radio: Ardoise's alerts and the feed's own news, by time."""

from __future__ import annotations

from race.situation import Situation
from tui.panels import format as fmt


def radio_lines(situation: Situation) -> list[str]:
    """Alerts and the feed's news by time; news marked with "»"."""
    timezone = situation.timezone
    items = [(a.t, 1, a.text) for a in situation.alerts]
    items += [(n.t, 0, "» " + n.text) for n in situation.news]
    return [f"{fmt.clock(t, timezone)[:5]} {text}" for t, _, text in sorted(items)]
