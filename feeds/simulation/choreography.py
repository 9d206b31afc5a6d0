"""The bunch-sprint finale inside the peloton: the trains moving up, the block at the front, the
lost wheel and the sprint to the line; and a small group's sprint for the stage.

Kept apart from the frame loop (`world`): these functions only say where riders should be, in
metres behind the group's front; the playback moves them there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from feeds.simulation.script import Finale, GroupSprint
from race.models import Bib


def smoothstep(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def moving_up(
    members: list[int],
    finale: Finale,
    s: float,
    spacing: float,
    index: Mapping[Bib, int],
    eff: Sequence[float],
    jit: Sequence[float],
) -> tuple[list[int], list[float]]:
    """From `move_up_km` the trains work their way to the front, in their final order, and
    close up to their wheels: by `block_km` the layout is that of the block.

    Riders are indices (`index` maps a bib to his); `eff` is each one's place in the bunch
    (0 front .. 1 back), `jit` how much room he takes. Returns the order and the targets.
    """
    mix: dict[int, float] = {}
    gap_in_block: dict[int, tuple[float, float]] = {}
    member_set = set(members)
    for k, train in enumerate(finale.trains):
        span = finale.move_up_km - finale.arrive_km[k]
        w = min(max((finale.move_up_km - s) / span, 0.0), 1.0)
        for j, b in enumerate(train):
            r = index[b]
            if r in member_set:
                mix[r] = (1 - w) * eff[r] + w * (-1.0 + (k * 10 + j) * 0.001)
                gap = finale.train_gap_m[k] if j == 0 else finale.spacing_m[b]
                gap_in_block[r] = (w, gap)
    order = sorted(members, key=lambda r: mix.get(r, eff[r]))
    targets = []
    cum = 0.0
    prev: int | None = None
    for r in order:
        if prev is not None:
            bunch_gap = spacing * jit[prev]
            w, gap = gap_in_block.get(r, (0.0, 0.0))
            cum += bunch_gap + (gap - bunch_gap) * w
        targets.append(cum)
        prev = r
    return order, targets


def block_positions(present: set[Bib], finale: Finale, s: float, t: float) -> dict[Bib, float]:
    """Where each train rider still in the peloton (`present`) rides in the block, `s` km from
    the line at time `t`: the last 10 km, the wheel loss and the sprint."""
    seq: list[tuple[Bib, float]] = []
    for k, train in enumerate(finale.trains):
        first = True
        for b in train:
            peel = finale.peels.get(b)
            if (peel is not None and s <= peel) or b not in present:
                continue
            if not seq:
                gap = 0.0
            elif first:
                gap = finale.train_gap_m[k]
            else:
                gap = finale.spacing_m[b] * (1.0 + 0.08 * math.sin(t / 13.0 + b * 2.399))
            seq.append((b, gap))
            first = False
    pos = _positions(seq)
    wl = finale.wheel_loss
    f = smoothstep((wl.km_to_go - s) / (wl.opens_over_m / 1000.0))
    if f > 0 and wl.sprinter in pos and wl.leadout in pos:
        moved = {wl.sprinter, *wl.intruders}
        after: list[tuple[Bib, float]] = []
        lead = wl.gap_m * 0.45
        rest_gap = wl.gap_m - lead - 1.5 * (len(wl.intruders) - 1)
        for b, gap in seq:
            if b in moved:
                continue
            after.append((b, gap))
            if b == wl.leadout:
                after += [(x, lead if j == 0 else 1.5) for j, x in enumerate(wl.intruders)]
                after.append((wl.sprinter, rest_gap))
        target = _positions(after)
        pos = {b: p + (target[b] - p) * f for b, p in pos.items()}
    if s < finale.release_km:
        # The sprint is decided 30 m before the line: from there the order holds.
        f2 = smoothstep((finale.release_km - s) / (finale.release_km - 0.03))
        final: dict[Bib, float] = {}
        prev: Bib | None = None
        for k, b in enumerate(finale.finish_order):
            if b not in pos:
                continue
            final[b] = (
                0.0 if prev is None else max(final[prev] + finale.finish_gaps_m[k], 0.35 * pos[b])
            )
            prev = b
        for b, p in pos.items():
            if b not in final:
                final[b] = p + finale.sit_up_m.get(b, 8.0)
        pos = {b: p + (final[b] - p) * f2 for b, p in pos.items()}
    return pos


def group_sprint_positions(
    now: Mapping[Bib, float], sprint: GroupSprint, s: float
) -> dict[Bib, float]:
    """Where each rider of a small group sprinting for the stage rides, `s` km from the line:
    from where he is (`now`: metres behind the group's front) to his place in the crossing
    order, reached 30 m before the line."""
    f = smoothstep((sprint.launch_km - s) / (sprint.launch_km - 0.03))
    final = _positions([(b, gap) for b, gap in zip(sprint.order, sprint.gaps_m, strict=True)])
    return {b: p + (final[b] - p) * f if b in final else p for b, p in now.items()}


def _positions(seq: list[tuple[Bib, float]]) -> dict[Bib, float]:
    """Metres behind the front of each rider of a line, from the gap each leaves to the one
    ahead."""
    out: dict[Bib, float] = {}
    cum = 0.0
    for b, gap in seq:
        cum += gap
        out[b] = cum
    return out
