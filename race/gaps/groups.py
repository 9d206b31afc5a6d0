"""Groups on the road: split by a time threshold, given their role, and named by it.

Roles (`road_roles`): the peloton is the group holding the largest share of the field; ahead of
it are the head of the race and the chases; behind it, groups dropped from it and, on a stage
with climbs, the grupetti. With no peloton (a field in pieces in the mountains) the race
leader's group takes its place. Names (`GroupNames`) follow the roles and stay with a group
(its id, from `race.gaps.lineage`) across updates; two groups never share one (`unique`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import compress, count, islice, pairwise
from operator import and_, lt, sub

from race.gaps.lineage import FORGET_AFTER
from race.models import Stage
from race.situation import GroupKind, GroupView
from race.tracking.trajectory import Trajectory
from race.wording import ordinal

PELOTON_MIN = 20
"""The peloton holds at least this many riders (DESIGN.md, "Groups")."""
PELOTON_SHARE = 0.4
"""...and is the largest piece of a bunch holding at least this share of the riders in the race:
a field split in two near-equal halves still has a peloton, a field in three or more pieces
minutes apart (the mountains) has none."""
BUNCH_SPLIT_S = 30.0
"""Pieces this close to each other are one bunch strung out in a line (a 3 s split for a frame
or two), not a field in pieces."""
PELOTON_KEEP = 0.75
"""The group carrying on the last update's peloton stays the peloton while it holds at least
this share of the largest group's riders: two near-equal halves do not swap the name."""
GRUPETTO_MIN = 8
"""A grupetto holds at least this many riders..."""
GRUPETTO_BEHIND_S = 180.0
"""...at least this far behind the peloton (or, with none, behind the race leader's group or
the first group of 20 riders, whichever is further back): further
back than a bunch split on a climb, where the riders who sat up ride together for the time limit."""
CLIMBING_TYPES = ("hilly", "mountain")
"""Stage types where a grupetto forms even when the feed lists no categorised climb."""

TWO_STEPS = 1.5
"""Riders this many of the feed's distance steps apart are at least two apart (their km are
whole steps; held riders' are not)."""

NUMBER_SLACK = 1
"""A group keeps its number while it is at most this much above its place."""
NUMBERED: tuple[GroupKind, ...] = ("group", "dropped")
"""Kinds named by their place, "Group 3"; the others are named by their role."""
ROLE_NAMES: dict[GroupKind, str] = {
    "head": "Head of race",
    "chase": "Chase",
    "peloton": "Peloton",
    "leader": "Yellow jersey group",
    "grupetto": "Grupetto",
}


def split_by_gap(
    gaps: Sequence[float],
    threshold_s: float,
    kms: Sequence[float] = (),
    step_km: float | None = None,
) -> list[range]:
    """Split riders sorted front to back by gap into runs where no step exceeds `threshold_s`.

    With the feed's distance step (`race.tracking.grain`) and the riders' `kms`, riders less
    than two steps apart are never split: one step apart, they may be side by side."""
    if not gaps:
        return []
    # Once per frame over every rider: the steps are compared in C, not in a Python loop.
    steps = map(sub, islice(gaps, 1, None), gaps)
    apart = map(partial(lt, threshold_s), steps)
    if step_km is not None:
        road_steps = map(sub, islice(kms, 1, None), kms)
        apart = map(and_, apart, map(partial(lt, TWO_STEPS * step_km), road_steps))
    cuts = list(compress(count(1), apart))
    bounds = [0, *cuts, len(gaps)]
    return [range(a, b) for a, b in pairwise(bounds)]


def climbing(stage: Stage | None) -> bool:
    """A grupetto can form: the stage has categorised climbs or is hilly or mountainous (an
    unknown stage is not assumed to be one)."""
    return stage is not None and (bool(stage.climbs) or stage.type in CLIMBING_TYPES)


@dataclass(frozen=True)
class Roles:
    """The role of each group on the road, front to back."""

    kinds: list[GroupKind]
    main: int | None
    """The group the others are placed against: the peloton, or with none the race leader's
    group; None when neither is known."""


def find_peloton(
    sizes: Sequence[int],
    gaps: Sequence[float],
    *,
    finished: int = 0,
    head_finished: bool = False,
    before: int | None = None,
) -> int | None:
    """Index of the peloton among the groups on the road (front to back), or None.

    The largest group (the front-most on a tie) of at least `PELOTON_MIN` riders whose bunch
    (the groups within `BUNCH_SPLIT_S` of each other) holds `PELOTON_SHARE` of the riders in the
    race; `before`, the group carrying on the last update's peloton, keeps the role while it
    qualifies and holds `PELOTON_KEEP` of the largest's riders. After the winner's finish a group
    on the road is the peloton only if it holds more riders than have `finished`.
    """
    n = len(sizes)
    total = finished + sum(sizes)
    least = max(PELOTON_MIN, finished + 1) if head_finished else PELOTON_MIN
    bunch_of: list[int] = []
    bunch_sizes: list[int] = []
    for i in range(n):
        if i == 0 or gaps[i] - gaps[i - 1] > BUNCH_SPLIT_S:
            bunch_sizes.append(0)
        bunch_sizes[-1] += sizes[i]
        bunch_of.append(len(bunch_sizes) - 1)
    eligible = [
        i
        for i in range(n)
        if sizes[i] >= least and bunch_sizes[bunch_of[i]] >= PELOTON_SHARE * total
    ]
    if not eligible:
        return None
    largest = max(eligible, key=lambda i: (sizes[i], -i))
    if before in eligible and sizes[before] >= PELOTON_KEEP * sizes[largest]:
        return before
    return largest


def road_roles(
    sizes: Sequence[int],
    gaps: Sequence[float],
    *,
    climbs: bool = False,
    finished: int = 0,
    head_finished: bool = False,
    peloton_before: int | None = None,
    leader: int | None = None,
) -> Roles:
    """The roles of the groups on the road, given front to back by their sizes and gaps.

    Args:
        sizes: riders in each group.
        gaps: each group's gap to the head of the race (s).
        climbs: the stage has climbs (`climbing`): large groups far behind are grupetti.
        finished: riders who have crossed the line.
        head_finished: the winner has finished: no group on the road is the head of the race.
        peloton_before: index of the group carrying on the last update's peloton.
        leader: index of the race leader's group (his jersey seen), if known.
    """
    peloton = find_peloton(
        sizes, gaps, finished=finished, head_finished=head_finished, before=peloton_before
    )
    main = peloton if peloton is not None else leader
    # Grupetti are placed against the peloton; with none, against the front-most group big
    # enough to be one and the leader's group, whichever is further back: the big groups
    # behind those are the riders who have sat up.
    first_big = next((i for i, s in enumerate(sizes) if s >= PELOTON_MIN), None)
    known = [i for i in (leader, first_big) if i is not None]
    reference = peloton if peloton is not None else max(known, default=None)
    kinds: list[GroupKind] = []
    for i, size in enumerate(sizes):
        behind = reference is not None and i > reference
        if i == peloton:
            kinds.append("peloton")
        elif i == 0 and not head_finished:
            kinds.append("head")
        elif i == main:
            kinds.append("leader")
        elif (
            behind
            and climbs
            and size >= GRUPETTO_MIN
            and reference is not None
            and gaps[i] - gaps[reference] >= GRUPETTO_BEHIND_S
        ):
            kinds.append("grupetto")
        elif main is not None and i > main:
            kinds.append("dropped")
        elif main is not None and not head_finished:
            kinds.append("chase")
        else:
            kinds.append("group")
    return Roles(kinds, main)


class GroupNames:
    """Names for the roles, kept by each group across updates.

    A group named by its place ("Group 3") is counted from the main group (the peloton is the
    field's first group), or from the head of the race when there is none, so that a break
    caught or a chase formed ahead renumbers nothing behind; it keeps its number while numbers
    still rise front to back and it is at most `NUMBER_SLACK` above its place (a rider or two
    dropping off the back of the bunch and coming back do not renumber the groups behind).
    Role names repeated are numbered front to back ("Chase", "Chase 2").
    """

    def __init__(self) -> None:
        self._numbers: dict[str, tuple[int, int]] = {}  # id → (number, update last named)
        self._updates = 0

    def name(self, ids: Sequence[str], roles: Roles, *, head_finished: bool = False) -> list[str]:
        """Names of the groups on the road (`ids` front to back, their `roles`)."""
        self._updates += 1
        names: list[str] = []
        # `place` is the number a group would get from its place alone; `last` the number of
        # the group in front, as named. Counted from the main group (the field's first group),
        # from the head of the race when there is none, from the finished riders after the line.
        place = last = given = 1 if head_finished else 0
        for i, (gid, kind) in enumerate(zip(ids, roles.kinds, strict=True)):
            if kind in NUMBERED:
                place += 1
                known = self._numbers.get(gid)
                keep = known is not None and last < known[0] <= place + NUMBER_SLACK
                number = known[0] if known is not None and keep else last + 1
                self._numbers[gid] = (number, self._updates)
                last = given = number
                names.append(f"Group {number}")
                continue
            self._numbers.pop(gid, None)
            if i == roles.main:
                place = last = max(given, 1)
            elif kind in ("head", "chase"):
                place = last = i + 1
            names.append(ROLE_NAMES[kind])
        # A group flickering apart may come back under its id for a few updates: so may its number.
        for gid, (_, seen) in list(self._numbers.items()):
            if self._updates - seen >= FORGET_AFTER:
                del self._numbers[gid]
        return unique(names)


def unique(names: Sequence[str]) -> list[str]:
    """`names` with every repeat numbered in order, from 2: "Chase", "Chase 2"."""
    taken = set(names)
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        if name in seen:
            number = 2
            while f"{name} {number}" in taken:
                number += 1
            name = f"{name} {number}"
            taken.add(name)
        seen.add(name)
        out.append(name)
    return out


def name_finished(count: int, winner_alone: bool) -> list[tuple[GroupKind, str]]:
    """Kinds and names of the groups that have crossed the line, in the order they crossed:
    the winner's, then "Finished 2nd", "Finished 3rd"... (the place each group crossed in)."""
    names = [f"Finished {ordinal(place)}" for place in range(2, count + 1)]
    winners: list[tuple[GroupKind, str]] = (
        [("head", "Winner" if winner_alone else "Winner's group")] if count else []
    )
    return winners + [("group", name) for name in names]


HEAD_NOW_S = 30.0
"""Without the riders' own speeds, the head's speed is its road over the last 30 s (five of the
Race Center's frames), not two minutes: see `head_speed_now`."""


def head_speed_now(groups: Sequence[GroupView], head: Trajectory) -> float | None:
    """The head of the race's speed now: its group's speed as the gaps show it (the median of
    its riders' own speeds), else the head's road over the last `HEAD_NOW_S`.

    It is the header's speed and what the head is taken to ride on when the feed goes quiet.
    The head's road over two minutes, used before, lagged a climb's crest by a minute (Pau,
    24.9 km to go: 31.8 km/h, riding 53 km/h): it put the head, 50 s later, 97 m off at the
    median and 346 m at the 90th percentile on that stage, against 69 and 273 m for its group's
    speed (simulated flat: 41/96 m against 22/53 m; mountain: 40/137 against 19/64 m; the road
    over 30 s: 82/320, 30/64 and 28/88 m)."""
    first = groups[0] if groups else None  # The head's group, until the winner is in.
    if first is not None and not first.finished and first.speed_kmh is not None:
        return first.speed_kmh
    return head.speed_kmh(HEAD_NOW_S)
