"""Groups on the road: split by a time threshold and named by their role."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from itertools import compress, count, islice, pairwise
from operator import lt, sub

from race.situation import GroupKind

PELOTON_MIN = 20
"""A group needs at least this many riders to be the peloton (DESIGN.md, "Groups")."""
PELOTON_SPLIT_S = 30.0
"""A bigger group this close behind the front-most big one, carrying on the peloton, is still
the peloton (the front one is a piece of it that went clear for a moment)."""
GRUPETTO_MIN = 8
"""Behind the peloton, the largest group of at least this size is the grupetto."""


def split_by_gap(gaps: Sequence[float], threshold_s: float) -> list[range]:
    """Split riders sorted front to back by gap into runs where no step exceeds `threshold_s`."""
    if not gaps:
        return []
    # Once per frame over every rider: the steps are compared in C, not in a Python loop.
    steps = map(sub, islice(gaps, 1, None), gaps)
    cuts = list(compress(count(1), map(partial(lt, threshold_s), steps)))
    bounds = [0, *cuts, len(gaps)]
    return [range(a, b) for a, b in pairwise(bounds)]


def name_groups(
    sizes: Sequence[int],
    *,
    head_finished: bool = False,
    finished: int = 0,
    peloton_before: int | None = None,
    gaps: Sequence[float] | None = None,
) -> list[tuple[GroupKind, str]]:
    """Kinds and names of the groups on the road, given front to back by their sizes.

    The peloton is the front-most group of at least `PELOTON_MIN` riders, or the group that
    carries on the last update's peloton (`peloton_before`, its index) when it is that big and
    within `PELOTON_SPLIT_S` of it (`gaps`): a bunch strung out in a line splits for a frame at
    a 3 s gap, and its smaller front part is then not the peloton, while on a mountain stage
    the old bunch left minutes behind the favourites is not the peloton any more. Ahead of it
    are the head of the race and the chase groups; behind it, the rearmost group of at least
    `GRUPETTO_MIN` is the grupetto and smaller ones are dropped riders; with no peloton (a
    mountain stage in pieces) too, the rearmost sizeable group is the grupetto. Once the winner has
    finished (`head_finished`) no group on the road is the head of the race, and a group is
    the peloton only if it holds more riders than the `finished` ones (most of the field).
    """
    n = len(sizes)
    least = max(PELOTON_MIN, finished + 1) if head_finished else PELOTON_MIN
    peloton = next((i for i, s in enumerate(sizes) if s >= least), None)
    if (
        peloton is not None
        and peloton_before is not None
        and peloton < peloton_before < n
        and sizes[peloton_before] >= max(least, sizes[peloton])
        and gaps is not None
        and gaps[peloton_before] - gaps[peloton] <= PELOTON_SPLIT_S
    ):
        peloton = peloton_before
    # The grupetto (the "autobus") is the last sizeable group on the road: on a mountain stage
    # the favourites' group behind the peloton can be bigger, but it is not the grupetto.
    first_behind = peloton + 1 if peloton is not None else (0 if head_finished else 2)
    behind = [i for i in range(first_behind, n) if sizes[i] >= GRUPETTO_MIN]
    grupetto = behind[-1] if behind else None
    out: list[tuple[GroupKind, str]] = []
    for i, size in enumerate(sizes):
        if i == peloton:
            out.append(("peloton", "Peloton"))
        elif head_finished:
            # Behind a finished winner there is no head of the race and nobody to chase.
            if i == grupetto:
                out.append(("grupetto", "Grupetto"))
            elif peloton is not None and i > peloton and size < GRUPETTO_MIN:
                out.append(("dropped", "Dropped"))
            else:
                out.append(("group", f"Group {i + 1}"))
        elif i == 0:
            out.append(("head", "Head of race"))
        elif i == grupetto:
            out.append(("grupetto", "Grupetto"))
        elif peloton is not None and i < peloton:
            out.append(("chase", "Chase" if peloton == 2 else f"Chase {i}"))
        elif peloton is not None and size < GRUPETTO_MIN:
            out.append(("dropped", "Dropped"))
        elif peloton is None and i == 1:
            out.append(("chase", "Chase"))
        else:
            out.append(("group", f"Group {i + 1}"))
    return out


def name_finished(count: int, winner_alone: bool) -> list[tuple[GroupKind, str]]:
    """Kinds and names of the groups that have crossed the line, in the order they crossed."""
    out: list[tuple[GroupKind, str]] = []
    for i in range(count):
        if i == 0:
            out.append(("head", "Winner" if winner_alone else "Winner's group"))
        else:
            out.append(("group", "Finished"))
    return out
