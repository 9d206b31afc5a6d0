"""The riders who contest the finish: the group sprinting for the win, and its make-up when it is
a small group clear of the rest (a hilly stage's finish, a break that held off the bunch)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from operator import itemgetter

from race.models import Bib
from race.situation import TeamShare
from race.tracking.tracks import Placed

CONTENTION_S = 10.0
CONTENTION_S_PER_KM = 9.0
"""Riders further behind the head than `CONTENTION_S` plus this per km to go are out of the
sprint for the win: a chasing bunch takes back about 90 s per 10 km at best (DESIGN.md,
"Trend and catch")."""
SMALL_GROUP = 20
"""A group of 20 riders or fewer sprinting for the win is shown as it is, team by team: it
sprints without trains (a train is 3-6 riders, so 20 riders hold three or four at most)."""
CLEAR_S = 30.0
"""...when 30 s or more clear of the next rider: no chase closes 30 s in the last kilometres
(~90 s per 10 km at best), so the group is the race for the win."""


def in_contention(road: list[Placed], head_km: float | None) -> list[Placed]:
    """The riders on the road (front to back) close enough to the head to sprint for the win:
    a group further behind than a chase can close over the road left is not in the sprint, and
    trains are never drawn from it (a bunch 12 minutes down on a day a small group fights it
    out)."""
    if head_km is None:
        return road
    reach = CONTENTION_S + CONTENTION_S_PER_KM * head_km
    # The road is sorted by gap: the contenders end where the first gap beyond reach is.
    return road[: bisect_right(road, reach, key=itemgetter(0))]


def clear_by(contenders: Sequence[Placed], road: Sequence[Placed]) -> float | None:
    """How far the contenders are clear of the first rider behind them (s); None when nobody
    rides behind them, or a gap is unknown."""
    if not contenders or len(road) <= len(contenders):
        return None
    return road[len(contenders)][0] - contenders[-1][0]


def small_group(contenders: Sequence[Placed], road: Sequence[Placed]) -> float | None:
    """When the contenders are a small group clear of the rest (see `SMALL_GROUP`, `CLEAR_S`),
    by how much (inf: nobody behind them); None otherwise."""
    if not contenders or len(contenders) > SMALL_GROUP:
        return None
    if len(road) <= len(contenders):
        return float("inf")
    clear = clear_by(contenders, road)
    return clear if clear is not None and clear >= CLEAR_S else None


def makeup(order: Sequence[Bib], team_of: Mapping[Bib, str]) -> tuple[TeamShare, ...]:
    """A group's riders by team, each team's riders in road order, teams by their first rider."""
    teams: dict[str, list[Bib]] = {}
    for bib in order:
        teams.setdefault(team_of.get(bib, "?"), []).append(bib)
    return tuple(TeamShare(team=team, riders=tuple(riders)) for team, riders in teams.items())
