"""Reading one train in one frame: who rides with the sprinter, in which order, and his state
(on the wheel, gap opening, lost the wheel, boxed in, out of position) with its probability."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import get_args

from race.leadout.bunch import BunchFrame
from race.leadout.trains import TrainPlan
from race.models import Bib
from race.situation import SprinterState, TrainRider

REACH_M = 50.0
"""A lead-out man further than this ahead of his sprinter is no longer with him."""
BEHIND_SIGMAS = 2.0
"""A lead-out man behind his sprinter by more than this many standard deviations of their
distance has swung off (or been dropped): he is no longer part of the train."""
BETWEEN = 0.5
"""A rider of another team counts as boxing the sprinter in when he is more likely than not
between him and his last man."""
SWING_OFF_M = 6.0
SWING_OFF_SIGMAS = 3.0
"""A lead-out man who drops back in one frame, both in the bunch and relative to his sprinter,
by more than 6 m and 3 standard deviations of a gap has swung off: he is drifting back past
his sprinter and gives him no wheel on the way."""
ORDER_SMOOTHING = 0.05
"""Least weight of a new frame in the average place of each lead-out man (a running mean until
then): a train's order changes rarely, and wheels 1-2 m apart need ~20 frames of a few metres
of noise to be told apart."""
ORDER_MARGIN_M = 0.5
"""Two lead-out men swap places only when their average places say so by this much, or by the
uncertainty of those averages when the noise is larger."""
STATES: tuple[SprinterState, ...] = get_args(SprinterState)
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Reading:
    """One frame's reading of a train."""

    riders: tuple[Bib, ...]
    """The lead-out men still with the sprinter in road order, then the sprinter."""
    last_man: Bib | None
    wheel_m: float | None
    intruders: tuple[Bib, ...]
    state: SprinterState
    """The state the data supports best."""
    support: Mapping[SprinterState, float]
    """The probability of each state given the positions and their uncertainty."""

    @property
    def confidence(self) -> float:
        return self.support[self.state]


def read_train(
    plan: TrainPlan,
    frame: BunchFrame,
    team_of: Mapping[Bib, str],
    *,
    order: list[Bib],
    wheel_m: float,
    lost_wheel_m: float,
    out_rank: int,
) -> Reading:
    """The sprinter's state in this frame, and how sure it is.

    `order` is the lead-out men's order in the train (learned over frames). The distance to the
    last man gives on the wheel (< `wheel_m`), gap opening, or lost (> `lost_wheel_m`), each with
    its probability under the uncertainty of that distance; riders of other teams between them
    box him in; a sprinter without a teammate ahead or beyond `out_rank` is out of position.
    """
    sprinter = plan.sprinter
    places = frame.places
    riders = (*order, sprinter)
    rank = places[sprinter].rank
    last = order[-1] if order else None
    # Beyond the rank limit: how sure is it that he is behind the rider at that rank?
    limit_rider = frame.order[out_rank - 1] if len(frame.order) >= out_rank else None
    if limit_rider is None or limit_rider == sprinter:
        p_out = 0.5 if limit_rider == sprinter else 0.0
    else:
        p_out = _NORMAL.cdf(
            frame.gap_m(limit_rider, sprinter) / max(frame.sigma_m(limit_rider, sprinter), 1e-6)
        )
    if last is None:
        # No lead-out man with him: as sure as it is that each of them is really behind him.
        p_alone = 1.0
        for bib in plan.leadout:
            if bib in places and frame.gap_m(bib, sprinter) <= REACH_M:
                sigma = max(frame.sigma_m(bib, sprinter), 1e-6)
                p_alone *= _NORMAL.cdf(-frame.gap_m(bib, sprinter) / sigma)
        alone: dict[SprinterState, float] = dict.fromkeys(STATES, 0.0)
        alone["out_of_position"] = max(p_alone, p_out)
        return Reading(riders, None, None, (), "out_of_position", alone)
    # His wheel is his last man's. In the noise the last two may still be in the wrong order
    # (they ride 1-2 m apart): of those two, the nearer one. Not any nearer teammate: a lead-out
    # man who has swung off drifts back past him without giving him a wheel.
    wheel = min(order[-2:], key=lambda b: (frame.gap_m(b, sprinter), b))
    distance = frame.gap_m(wheel, sprinter)
    sigma = max(frame.sigma_m(wheel, sprinter), 1e-6)
    p_on = _NORMAL.cdf((wheel_m - distance) / sigma)
    p_lost = 1.0 - _NORMAL.cdf((lost_wheel_m - distance) / sigma)
    p_gap = max(0.0, 1.0 - p_on - p_lost)
    intruders: list[Bib] = []
    p_boxed = 0.0
    # Beyond the rank limit he is out of position whoever is in front of him.
    between = frame.between(wheel, sprinter) if rank <= out_rank else []
    for bib in between:
        p = _NORMAL.cdf(frame.gap_m(wheel, bib) / max(frame.sigma_m(wheel, bib), 1e-6))
        p *= _NORMAL.cdf(frame.gap_m(bib, sprinter) / max(frame.sigma_m(bib, sprinter), 1e-6))
        # On the wheel is directly behind his last man: nobody at all between them.
        p_on *= 1.0 - p
        if team_of.get(bib) == plan.team:
            continue
        p_boxed = max(p_boxed, p)
        if p >= BETWEEN:
            intruders.append(bib)
    p_gap = max(0.0, 1.0 - p_on - p_lost)
    support: dict[SprinterState, float] = {
        "on_wheel": p_on,
        "gap_opening": p_gap,
        "lost_wheel": p_lost,
        "boxed": p_boxed,
        "out_of_position": p_out,
    }
    state: SprinterState
    if rank > out_rank:
        state = "out_of_position"
    elif p_lost >= max(p_on, p_gap):
        state = "lost_wheel"
    elif intruders:
        state = "boxed"
    elif p_gap > p_on:
        state = "gap_opening"
    else:
        state = "on_wheel"
    shown = round(max(distance, 0.0), 1)
    return Reading(riders, last, shown, tuple(intruders), state, support)


class TrainOrder:
    """The order of a train's lead-out men, learned over the frames where they ride with their
    sprinter: a running average of where each rides, then `ORDER_SMOOTHING` (see there)."""

    def __init__(self, planned: tuple[Bib, ...]) -> None:
        self.order: list[Bib] = list(planned)
        self.ahead_m: dict[Bib, float] = {}
        """Average metres each lead-out man rides in front of his sprinter."""
        self.weight: dict[Bib, float] = {}
        """Weight of the latest frame in that average."""
        self._previous: dict[Bib, tuple[float, float]] = {}
        """Each lead-out man's place in the bunch and metres ahead of his sprinter, last frame."""

    def update(
        self, frame: BunchFrame, sprinter: Bib, planned: tuple[Bib, ...], *, learn: bool
    ) -> list[Bib]:
        """The lead-out men with the sprinter this frame, front first."""
        members = set(planned)
        self.order = [b for b in self.order if b in members]
        self.order += [b for b in planned if b not in self.order]
        if sprinter not in frame.places:
            return []
        aheads = {b: frame.gap_m(b, sprinter) for b in self.order if b in frame.places}
        swing = max(SWING_OFF_M, SWING_OFF_SIGMAS * frame.pair_sigma_m())
        previous_frame, self._previous = (
            self._previous,
            {b: (frame.places[b].behind_m, aheads[b]) for b in aheads},
        )
        with_him: list[Bib] = []
        for bib, ahead in aheads.items():
            if not -BEHIND_SIGMAS * frame.sigma_m(bib, sprinter) <= ahead <= REACH_M:
                continue
            before = previous_frame.get(bib)
            # Moving back through the bunch and back past his sprinter since the last frame:
            # he has swung off. (A train overtaken moves back as a whole, a sprinter moving up
            # or losing the wheel moves alone, teammates moving up move forward.)
            if not (
                before is not None
                and frame.places[bib].behind_m - before[0] > swing
                and before[1] - ahead > swing
            ):
                with_him.append(bib)
            if learn:
                previous = self.ahead_m.get(bib)
                weight = (
                    max(ORDER_SMOOTHING, 1.0 / (1.0 / self.weight[bib] + 1.0))
                    if (previous is not None)
                    else 1.0
                )
                self.weight[bib] = weight
                self.ahead_m[bib] = (
                    ahead if previous is None else previous + weight * (ahead - previous)
                )
        # Swap neighbours only when their averages clearly say so (a stable order).
        noise = frame.noise_m * math.sqrt(2.0)
        changed = True
        while changed:
            changed = False
            for i in range(len(with_him) - 1):
                a, b = with_him[i], with_him[i + 1]
                if a not in self.ahead_m or b not in self.ahead_m:
                    continue
                weight = max(self.weight[a], self.weight[b])
                margin = max(ORDER_MARGIN_M, noise * math.sqrt(weight))
                if self.ahead_m[b] - self.ahead_m[a] > margin:
                    with_him[i], with_him[i + 1] = b, a
                    changed = True
        # Riders with him first in their new order; the others keep their place after them.
        rank = {bib: i for i, bib in enumerate(with_him)}
        planned_at = {bib: len(rank) + i for i, bib in enumerate(self.order)}
        self.order.sort(key=lambda b: rank.get(b, planned_at[b]))
        return with_him


def train_riders(
    riders: tuple[Bib, ...], sprinter: Bib | None, frame: BunchFrame, speed_kmh: float | None
) -> tuple[TrainRider, ...]:
    """The train in road order: ranks in the race and the distance from each to the wheel ahead
    (never negative: a rider ahead of the one in front of him by less than the noise is on his
    wheel). Without a sprinter (a detected train whose sprinter is unknown) every rider is a
    "rider"."""
    ranks = in_order([frame.places[b].rank for b in riders])
    out: list[TrainRider] = []
    previous: Bib | None = None
    for bib, rank in zip(riders, ranks, strict=True):
        gap_m = max(frame.gap_m(previous, bib), 0.0) if previous is not None else None
        gap_s = gap_m / (speed_kmh / 3.6) if gap_m is not None and speed_kmh else None
        out.append(
            TrainRider(
                bib=bib,
                rank=rank,
                gap_m=round(gap_m, 1) if gap_m is not None else None,
                gap_s=round(gap_s, 2) if gap_s is not None else None,
                role="rider" if sprinter is None else "sprinter" if bib == sprinter else "leadout",
            )
        )
        previous = bib
    return tuple(out)


def in_order(ranks: list[int]) -> list[int]:
    """Ranks made to follow the train's order with the least change: riders 1-2 m apart swap
    places in the noise, so their ranks can contradict the order the train is known to ride in.
    Runs that do are replaced by their mean (pool-adjacent-violators), then made distinct."""
    blocks: list[list[float]] = []  # [mean, count]
    for rank in ranks:
        blocks.append([float(rank), 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            total = blocks[-1][0] * blocks[-1][1] + mean * count
            blocks[-1][1] += count
            blocks[-1][0] = total / blocks[-1][1]
    out: list[int] = []
    for mean, count in blocks:
        start = mean - (count - 1) / 2.0
        for i in range(int(count)):
            rank = max(round(start + i), (out[-1] + 1) if out else 1)
            out.append(rank)
    return out
