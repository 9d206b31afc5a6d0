"""Formatting shared by the screen and the text output: times, gaps, ranks, names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from race.models import Bib
from race.situation import Roster
from race.wording import clock as span
from race.wording import distinct_names, signed_clock
from race.wording import km as km  # Re-exported: the screen writes a distance this way.


def gap(seconds: float | None, *, sign: bool = True) -> str:
    """ "+1:05", "+1:02:40", "+0:00"."""
    if seconds is None:
        return "—"
    return signed_clock(round(seconds)) if sign else span(seconds)


def duration(seconds: float | None) -> str:
    """ "3:42:10" or "42:10"."""
    return gap(seconds, sign=False)


def unseen(since_t: float | None, now: float | None) -> str:
    """ "not seen 0:45": how long the feed has sent none of a group's riders; empty when it
    sends them (or the time is unknown)."""
    if since_t is None or now is None:
        return ""
    return f"not seen {duration(now - since_t)}"


def clock(t: float | None, timezone: str) -> str:
    """Time of day of feed time `t` in the stage's zone, e.g. "14:52:10"."""
    if t is None:
        return "--:--:--"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromtimestamp(t, UTC).astimezone(zone).strftime("%H:%M:%S")


def team_code(roster: Roster, bib: Bib) -> str:
    """The rider's team code, "?" when the start list does not say."""
    rider = roster.riders.get(bib)
    return rider.team if rider is not None and rider.team else "?"


def km_to_go(distance: float | None) -> str:
    """ "4.2 km to go"; "? km to go" when unknown (never 0)."""
    return f"{km(distance)} km to go" if distance is not None else "? km to go"


def trend(s_per_10km: float | None) -> str:
    """ "−14 s/10 km" (closing) or "+8 s/10 km" (opening); empty when unknown."""
    if s_per_10km is None:
        return ""
    value = round(s_per_10km)
    if value == 0:
        return "±0 s/10 km"
    return f"{'−' if value < 0 else '+'}{abs(value)} s/10 km"


def last_name(roster: Roster, bib: Bib) -> str:
    rider = roster.riders.get(bib)
    return rider.last_name if rider else f"#{bib}"


def surnames(roster: Roster, bibs: Iterable[Bib]) -> dict[Bib, str]:
    """The family names of the riders in view, each with his bib where two share one."""
    return distinct_names({bib: last_name(roster, bib) for bib in bibs})


def short_names(roster: Roster, bibs: Iterable[Bib]) -> dict[Bib, str]:
    """ "J. Philipsen" for the riders in view, each with his bib where two read the same."""
    return distinct_names({bib: roster.name(bib) for bib in bibs})


def cell(text: str, width: int) -> str:
    """`text` in a column of `width` and the space that ends it: cut with "…" when longer, so
    that it never runs into the next column."""
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return f"{text:<{width}} "


def age(seconds: float | None) -> str:
    """Age of the data: "2 s", "1 min 05 s"."""
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    return f"{s // 60} min {s % 60:02d} s"
