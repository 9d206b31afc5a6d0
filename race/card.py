"""A rider's card: who he is and where he is in the race, from one situation.

Everything comes from what the situation already says (its roster, its groups, its time
limit's riders and groups, its marks), so the card never disagrees with the panels; only his
own km to go and speed come from his last fix (`RiderReading`, from `Race.rider_reading`),
when the engine tracks him and that fix is of the situation's moment. What is unknown is None,
never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from race.models import Bib, Jersey
from race.rolebook import ROLE_WORDS
from race.situation import GroupView, LimitStatus, Situation

OWN_FIX_FRESH_S = 30.0
"""His own fix is his km to go and speed when it is at most this older than the situation:
older, the feed has lost him (the engine holds his last place) and his group says more."""

JERSEYS: tuple[Jersey, ...] = ("yellow", "green", "polka-dot", "white")

Source = Literal["own", "group"]
"""Where a value comes from: his own fix, or his group's."""


@dataclass(frozen=True)
class RiderReading:
    """A rider's own last fix as the engine tracks it."""

    t: float
    """Feed time of the fix (UNIX s)."""
    km_to_finish: float
    speed_kmh: float | None
    """None when the feed gives no speed."""


@dataclass(frozen=True)
class RiderCard:
    """One rider, as his card shows him. None is unknown."""

    bib: Bib
    name: str | None
    """First and family name, as cycling writes them; None for a bib not in the start list."""
    team_code: str | None
    team_name: str | None
    nationality: str | None
    jersey: Jersey | None
    role: str | None
    """In words: "sprinter", "lead-out man"..."""
    group_name: str | None
    """His group now; None when the situation does not place him."""
    group_gap_s: float | None
    """His group's gap to the head of the race."""
    finished: bool
    km_to_finish: float | None
    km_source: Source | None
    speed_kmh: float | None
    speed_source: Source | None
    limit_status: LimitStatus | None
    """Against the time limit; None when it does not apply or is not known."""
    limit_margin_s: float | None
    limit_note: str
    """What the status alone does not say ("at the head of the race", "missing from the
    feed", "reinstated by the jury", the time limit's basis while it has no cut)."""
    marked: bool


def rider_card(situation: Situation, bib: Bib, reading: RiderReading | None = None) -> RiderCard:
    """The card of rider `bib` in `situation`.

    Args:
        situation: the situation shown.
        bib: the rider.
        reading: his own last fix (`Race.rider_reading`), if the engine tracks him.
    """
    roster = situation.roster
    rider = roster.riders.get(bib)
    team = roster.teams.get(rider.team) if rider is not None else None
    group = next((g for g in situation.groups if bib in g.riders), None)
    own = reading if _fresh(reading, situation) else None
    km, km_source = _km(own, group)
    speed, speed_source = _speed(own, group)
    status, margin, note = _limit(situation, bib, group)
    return RiderCard(
        bib=bib,
        name=f"{rider.first_name} {rider.last_name}".strip() if rider is not None else None,
        team_code=rider.team if rider is not None else None,
        team_name=team.name if team is not None else None,
        nationality=rider.nationality if rider is not None else None,
        jersey=_jersey(group, bib),
        role=ROLE_WORDS[rider.role] if rider is not None and rider.role else None,
        group_name=group.name if group is not None else None,
        group_gap_s=group.gap_s if group is not None else None,
        finished=group is not None and group.finished,
        km_to_finish=km,
        km_source=km_source,
        speed_kmh=speed,
        speed_source=speed_source,
        limit_status=status,
        limit_margin_s=margin,
        limit_note=note,
        marked=bib in situation.marked,
    )


def _fresh(reading: RiderReading | None, situation: Situation) -> bool:
    """His fix is of the situation's moment: not older (lost by the feed), not newer (the
    engine has gone on while the screen shows an older situation)."""
    if reading is None or situation.t is None:
        return False
    return situation.t - OWN_FIX_FRESH_S <= reading.t <= situation.t


def _km(own: RiderReading | None, group: GroupView | None) -> tuple[float | None, Source | None]:
    if group is not None and group.finished:
        return 0.0, "group"  # Across the line: no road left, known.
    if own is not None:
        return round(own.km_to_finish, 2), "own"
    if group is not None:
        return group.km_to_finish, "group"
    return None, None


def _speed(own: RiderReading | None, group: GroupView | None) -> tuple[float | None, Source | None]:
    if group is not None and group.finished:
        return None, None
    if own is not None and own.speed_kmh is not None:
        return round(own.speed_kmh, 1), "own"
    if group is not None and group.speed_kmh is not None:
        return group.speed_kmh, "group"
    return None, None


def _jersey(group: GroupView | None, bib: Bib) -> Jersey | None:
    """The jersey he was last seen in, as his group's notable riders say it."""
    if group is None:
        return None
    for notable in group.notable:
        if notable.bib == bib:
            return next((j for j in JERSEYS if j in notable.reasons), None)
    return None


def _limit(
    situation: Situation, bib: Bib, group: GroupView | None
) -> tuple[LimitStatus | None, float | None, str]:
    """His status against the time limit, its margin and a note."""
    limit = situation.time_limit
    if bib in limit.reinstated:
        return "outside", None, "reinstated by the jury"
    if bib in limit.finished_outside:
        return "outside", None, "finished outside the time limit"
    listed = next((r for r in limit.riders if r.bib == bib), None)
    if listed is not None:
        note = "missing from the feed" if listed.missing_since_t is not None else ""
        return listed.status, listed.margin_s, note
    if group is None:
        return None, None, "not placed by the feed"
    of_group = next((g for g in limit.groups if g.id == group.id), None)
    if of_group is not None:
        return of_group.status, of_group.margin_s, ""
    groups = situation.groups
    if groups and group is groups[0] and group.gap_s == 0:
        return None, None, "with the winner" if group.finished else "at the head of the race"
    if limit.cut_s is None:
        return None, None, limit.basis or "no time limit"
    return None, None, ""
