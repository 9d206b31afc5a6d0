"""Which alerts pop up, and for how long: my team's and the critical ones, while they are news
in race time. They pop up on a line of their own, so they never cover a panel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from race.situation import Alert, Roster
from tui.panels import format as fmt
from tui.panels.lines import MUST_SEE, Line, line

POPUP_FOR_S = 60.0
"""A pop-up stays this long in race time (a replay at 20x shows it for 3 s, a live stage for a
minute), and an alert older than this never pops up: a fast-forward or a catch-up after a
blackout replays old news, which the race radio keeps."""
LEVEL_CLASSES = {"info": "-popup-info", "warning": "-popup-warning", "critical": "-popup-critical"}


def concerns(alert: Alert, roster: Roster) -> set[str]:
    """The teams an alert is about, read from its key ("lost_wheel:XRG", "rider_dropped:157",
    "time_limit:157:tight:danger"): its team codes, and the teams of its riders' bibs."""
    teams: set[str] = set()
    for word in alert.key.split(":")[1:]:
        if word in roster.teams:
            teams.add(word)
        elif word.isdigit() and (rider := roster.riders.get(int(word))) is not None:
            teams.add(rider.team)
    return teams


def pops_up(alert: Alert, roster: Roster, my_team: str | None) -> bool:
    """Critical alerts pop up, and every alert about my team; the others go to the radio."""
    if alert.level == "critical":
        return True
    return my_team is not None and my_team.upper() in {t.upper() for t in concerns(alert, roster)}


def live(alerts: Iterable[Alert], now_t: float | None) -> list[Alert]:
    """The alerts still news at race time `now_t` (none when it is unknown), newest first."""
    if now_t is None:
        return []
    fresh = [a for a in alerts if now_t - a.t < POPUP_FOR_S]
    return sorted(fresh, key=lambda a: a.t, reverse=True)


def popup_line(alerts: Sequence[Alert], timezone: str) -> Line | None:
    """The newest live alert, with how many others are live (all are in the race radio)."""
    if not alerts:
        return None
    newest = alerts[0]
    others = f"  (+{len(alerts) - 1} in the radio)" if len(alerts) > 1 else ""
    return line(
        (fmt.clock(newest.t, timezone)[:5] + " ", "bold"),
        (newest.text, "bold"),
        others,
        classes={LEVEL_CLASSES[newest.level]},
        priority=MUST_SEE,
    )
