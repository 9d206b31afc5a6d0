"""What the gap chart and the results screen read: views the engine makes when asked
(`Race.gap_story`, `Race.results`), never per frame. Made by `race.gaps.history` and
`race.results`; the UI reads them as it reads the `Situation`."""

from __future__ import annotations

from dataclasses import dataclass

from race.models import Bib
from race.situation import GroupKind, LostRider
from race.view import View

PROVISIONAL_BASIS = "provisional: from the riders' last fixes"
"""Each time is extrapolated from the rider's last fixes (`race.tracking.finish`)."""


@dataclass(frozen=True, slots=True)
class GapLine:
    """One group's gap over the head's road."""

    id: str
    name: str
    """Its last name on the road ("Peloton", "Group 2")."""
    kind: GroupKind
    points: tuple[tuple[float, float], ...]
    """(km from the start, gap in s), in road order."""


@dataclass(frozen=True, slots=True)
class Catch:
    """Where a group was absorbed by another (caught from behind, or bridging to one ahead)."""

    km: float
    """The head's km from the start when the group was last seen on its own."""
    gap_s: float
    """The gap where the two groups' lines meet: the absorbing group's."""
    caught: str
    """The caught group's name."""
    by: str
    """The name of the group that absorbed it."""


@dataclass(frozen=True, slots=True)
class GapStory:
    """What the gap chart draws (`GapHistory.story`)."""

    distance_km: float | None
    """The stage's length (the chart's x axis); None without a stage."""
    lines: tuple[GapLine, ...] = ()
    catches: tuple[Catch, ...] = ()
    cut: tuple[tuple[float, float], ...] = ()
    """(km from the start, projected cut as a gap to the head in s); empty on a day the time
    limit does not matter (`limit_matters`)."""
    limit_matters: bool = False
    head_km: float | None = None
    """The head's km from the start at the last sample."""


class ResultPlace(View):
    place: int
    bib: Bib
    time_s: float | None
    """His time from the real start; None when the start is not known."""
    gap_s: float
    """Behind the winner, at the line."""


class FinishedGroup(View):
    """A group as it crossed the line."""

    name: str
    riders: int
    gap_s: float
    """Its first rider's gap to the winner."""
    time_s: float | None = None
    """Its first rider's time from the real start, every rider's in it; None when the start
    is not known."""


class StageResults(View):
    places: tuple[ResultPlace, ...] = ()
    groups: tuple[FinishedGroup, ...] = ()
    outside: tuple[Bib, ...] = ()
    """Riders across the line after the time limit (the jury's reinstatements left out)."""
    cut_s: float | None = None
    """The time limit as a gap to the winner; None when no rules apply."""
    final: bool = False
    """Every rider still tracked has finished: nothing more will cross the line."""
    lost: tuple[LostRider, ...] = ()
    """The riders the feed lost on the road, nearest the line first."""
    basis: str = PROVISIONAL_BASIS
