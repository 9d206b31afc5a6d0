"""Lead-out trains: where each sprinter's train is in the bunch, and whether he holds the wheel.

Positions come smoothed from `race.leadout.bunch` with their uncertainty. For each train the
sprinter's state is read from the distance to his last man and the riders between them; a state is
only asserted when the data supports it (its probability given the uncertainty), must be seen in two
consecutive frames to replace the previous one, and carries its confidence to the screen.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from statistics import NormalDist, median
from typing import get_args

from race.alerts import AlertLog, Hysteresis
from race.leadout.bunch import BunchFrame, BunchTracker
from race.leadout.trains import FRONT_RANKS, TrainDetector, TrainPlan, declared_plans
from race.models import Bib
from race.settings import EngineSettings
from race.situation import SUPPORTED, Finale, Roster, SprinterState, Train, TrainRider
from race.wording import ordinal

REACH_M = 50.0
"""A lead-out man further than this ahead of his sprinter is no longer with him."""
BEHIND_SIGMAS = 2.0
"""A lead-out man behind his sprinter by more than this many standard deviations of their
distance has swung off (or been dropped): he is no longer part of the train."""
BETWEEN = 0.5
"""A rider of another team counts as boxing the sprinter in when he is more likely than not
between him and his last man."""
RANK_BAND = 2
"""A sprinter out of position is back in position only this many places inside the limit: ranks
near the limit swap with every frame."""
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
TOP_RANK_AT_3KM = 20
"""From 3 km to go, a train whose sprinter is further back than this is announced."""
TOP_BAND = 3
"""Once out of the top 20, a train is back in it from 17th: ranks swap with every frame."""
CHECK_TOP_KM = 3.0
"""Where the trains' places start to be announced."""
BEFORE_WATCH_EVERY_S = 30.0
"""Before the trains are watched, the sprinters' positions are an overview: refreshed every 30 s
of race time."""
SPRINT_OVER_KM = 0.25
"""In the last 250 m the last man has released his sprinter: no state change is meaningful."""
ENGAGED: frozenset[SprinterState] = frozenset({"on_wheel", "gap_opening", "boxed"})
"""States that show the sprinter in his train; only such a train can lose the wheel."""
ENGAGED_FRAMES = 3
"""A train is engaged in the finale once seen together this many frames (~300 m): a sprinter
who was near a teammate for a moment had no wheel to lose."""

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
        if team_of.get(bib) == plan.team:
            continue
        p = _NORMAL.cdf(frame.gap_m(wheel, bib) / max(frame.sigma_m(wheel, bib), 1e-6))
        p *= _NORMAL.cdf(frame.gap_m(bib, sprinter) / max(frame.sigma_m(bib, sprinter), 1e-6))
        p_boxed = max(p_boxed, p)
        if p >= BETWEEN:
            intruders.append(bib)
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


class LeadoutTracker:
    """The lead-out picture, frame by frame: trains, their sprinters' states, and alerts."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._roster = Roster()
        self._team_of: dict[Bib, str] = {}
        self._declared: list[TrainPlan] = declared_plans(settings.leadout.trains, self._roster)
        self._detector = TrainDetector()
        self._bunch = BunchTracker()
        self._orders: dict[str, TrainOrder] = {}
        self._states: Hysteresis[SprinterState] = Hysteresis(frames=2)
        self._observed: dict[str, SprinterState] = {}
        """Per team: the state the latest frame points to (after the support test)."""
        self._run_km: dict[str, float] = {}
        """Per team: the sprinter's km to go when the frames began to point to that state."""
        self._left_wheel_km: dict[str, float] = {}
        """Per team: where the frames last stopped showing the sprinter on the wheel."""
        self._since: dict[str, float] = {}
        self._engaged: set[str] = set()
        self._sprinters: dict[str, Bib] = {}
        self._engaged_frames: Counter[str] = Counter()
        self._outside_top: Hysteresis[bool] = Hysteresis(frames=2)
        self._last_t: float | None = None
        self._view: tuple[tuple[Train, ...], Finale] | None = None
        self._view_t: float | None = None

    @property
    def watch_km(self) -> float:
        """From this distance to go every frame counts: trains are detected and followed."""
        return max(self.settings.leadout.finale_km, self.settings.leadout.detect_km)

    def set_roster(self, roster: Roster) -> None:
        self._roster = roster
        self._team_of = {bib: rider.team for bib, rider in roster.riders.items()}
        self._declared = declared_plans(self.settings.leadout.trains, roster)

    def _forget(self, team: str) -> None:
        self._states.forget(team)
        self._outside_top.forget(team)
        for table in (self._observed, self._run_km, self._left_wheel_km, self._since):
            table.pop(team, None)
        self._orders.pop(team, None)
        self._engaged.discard(team)
        self._engaged_frames.pop(team, None)

    def update(
        self,
        *,
        t: float,
        head_km: float | None,
        positions: Mapping[Bib, float],
        fresh: Collection[Bib],
        speeds: Mapping[Bib, float | None],
        alerts: AlertLog,
    ) -> tuple[tuple[Train, ...], Finale]:
        """Take one frame: `positions` are the km to go of the riders on the road, `fresh` those
        whose position is a new fix, `speeds` their speeds (km/h)."""
        settings = self.settings
        watching = head_km is not None and head_km <= self.watch_km
        active = head_km is not None and head_km <= settings.leadout.finale_km
        if (
            not watching
            and self._view is not None
            and self._view_t is not None
            and t - self._view_t < BEFORE_WATCH_EVERY_S
        ):
            return self._view
        if self._view is not None and t == self._last_t:
            return self._view  # Not a new frame (news, a status): nothing moved.
        cadence = t - self._last_t if self._last_t is not None else None
        self._last_t = t
        if not watching and not self._declared and not self._detector.plans():
            # Nobody to place before the trains are watched: the positions are not even read.
            self._view = ((), self._finale(head_km, active, cadence))
            self._view_t = t
            return self._view
        frame = (
            self._bunch.update(t, positions, fresh)
            if watching
            else self._bunch.snapshot(t, positions)
        )
        detecting = watching and head_km is not None and head_km <= settings.leadout.detect_km
        if detecting:
            self._detector.observe(frame, self._team_of, skip={p.team for p in self._declared})
        plans = self._declared + self._detector.plans()
        front = frame.order[:FRONT_RANKS]
        front_speeds = [s for b in front if (s := speeds.get(b))]
        bunch_speed = median(front_speeds) if front_speeds else None
        resolution = bunch_speed / 3.6 * cadence if bunch_speed and cadence else None
        finale = self._finale(
            head_km,
            active,
            cadence,
            resolution_m=round(resolution) if resolution else None,
            noise_m=round(frame.noise_m, 1) if watching else None,
            wheel_sigma_m=round(frame.pair_sigma_m(), 1) if watching else None,
        )
        trains: list[Train] = []
        for plan in plans:
            if plan.sprinter not in frame.places:
                continue
            if self._sprinters.get(plan.team, plan.sprinter) != plan.sprinter:
                self._forget(plan.team)  # Another sprinter: his train's story starts again.
            self._sprinters[plan.team] = plan.sprinter
            trains.append(
                self._train(plan, frame, t, head_km, watching, active, bunch_speed, alerts)
            )
        if active and head_km is not None and head_km <= CHECK_TOP_KM:
            self._top_alerts(t, head_km, trains, alerts)
        trains.sort(key=lambda tr: (tr.sprinter_rank, tr.team))
        self._view = (tuple(trains), finale)
        self._view_t = t
        return self._view

    def _finale(
        self,
        head_km: float | None,
        active: bool,
        cadence: float | None,
        *,
        resolution_m: float | None = None,
        noise_m: float | None = None,
        wheel_sigma_m: float | None = None,
    ) -> Finale:
        return Finale(
            active=active,
            finale_km=self.settings.leadout.finale_km,
            head_km_to_finish=head_km,
            resolution_m=resolution_m,
            cadence_s=cadence,
            noise_m=noise_m,
            wheel_sigma_m=wheel_sigma_m,
            detect_km=self.settings.leadout.detect_km or None,
        )

    def _train(
        self,
        plan: TrainPlan,
        frame: BunchFrame,
        t: float,
        head_km: float | None,
        watching: bool,
        active: bool,
        bunch_speed: float | None,
        alerts: AlertLog,
    ) -> Train:
        team = plan.team
        order = self._orders.get(team)
        if order is None:
            order = self._orders[team] = TrainOrder(plan.leadout)
        with_him = order.update(frame, plan.sprinter, plan.leadout, learn=watching)
        current = self._states.get(team)
        out_rank = self.settings.leadout.out_of_position_rank
        if current == "out_of_position":
            out_rank -= RANK_BAND
        readings = [
            read_train(
                plan,
                source,
                self._team_of,
                order=with_him,
                wheel_m=self.settings.leadout.wheel_m,
                lost_wheel_m=self.settings.leadout.lost_wheel_m,
                out_rank=out_rank,
            )
            # Before the trains are watched only the overview counts: one reading is enough.
            for source in ((frame, frame.latest) if watching else (frame,))
        ]
        reading, latest = readings[0], readings[-1]
        riders = _train_riders(reading.riders, plan.sprinter, frame, bunch_speed)
        status: SprinterState = reading.state
        since: float | None = None
        pending: SprinterState | None = None
        if watching:
            # Followed from where trains are watched, so that the finale starts with states
            # already established; alerts only in the finale.
            status, since, pending = self._follow(
                plan, (latest, reading), frame, t, head_km, alerts if active else None
            )
        return Train(
            team=team,
            sprinter=plan.sprinter,
            riders=riders,
            status=status,
            sprinter_rank=riders[-1].rank,
            intruders=len(reading.intruders),
            my_team=team == self.settings.team.code,
            source=plan.source,
            last_man=reading.last_man,
            wheel_m=reading.wheel_m,
            confidence=round(max(reading.support[status], latest.support[status]), 2)
            if watching
            else None,
            since_km=since,
            pending=pending,
        )

    def _follow(
        self,
        plan: TrainPlan,
        readings: tuple[Reading, Reading],
        frame: BunchFrame,
        t: float,
        head_km: float | None,
        alerts: AlertLog | None,
    ) -> tuple[SprinterState, float, SprinterState | None]:
        """Pass the reading through the state's hysteresis and, in the finale (`alerts` given),
        raise the lost-wheel alert.

        `readings` are this frame's from its own fixes, then from the smoothed places: the first
        that supports its state (see `SUPPORTED`) is what the frame shows; the fixes alone
        show a real move one frame earlier, the smoothed places settle what they blur.

        Returns the state, the km where it began, and the state the latest frame points to
        when it is still waiting for a second frame."""
        team = plan.team
        km = frame.places[plan.sprinter].km_to_finish
        current = self._states.get(team)
        supported = [r for r in readings if r.confidence >= SUPPORTED]
        # Without support the noise explains this frame as well: it does not count.
        reading = supported[0] if supported else readings[-1]
        observed = reading.state if supported or current is None else current
        if observed == "lost_wheel" and team not in self._engaged:
            # Never seen in his train: he has no wheel to lose, he is out of position.
            observed = "out_of_position"
        before = self._observed.get(team)
        if observed != before:
            self._run_km[team] = km
            if before == "on_wheel":
                self._left_wheel_km[team] = km
        self._observed[team] = observed
        state, previous = self._states.update(team, observed)
        if previous is not None or team not in self._since:
            # A lost wheel began where he left it (often boxed in or a gap opening first).
            left = self._left_wheel_km.get(team) if state == "lost_wheel" else None
            self._since[team] = left if left is not None else self._run_km[team]
        if state in ENGAGED and alerts is not None:
            # Seen in his train in the finale, long enough for the train to be a formed one.
            self._engaged_frames[team] += 1
            if self._engaged_frames[team] >= ENGAGED_FRAMES:
                self._engaged.add(team)
        since = self._since[team]
        if (
            alerts is not None
            and previous is not None
            and state == "lost_wheel"
            and team in self._engaged
            and head_km is not None
            and head_km > SPRINT_OVER_KM
        ):
            last = readings[-1].last_man
            name = self._roster.name
            alerts.raise_(
                t,
                "lost_wheel",
                f"{name(plan.sprinter)} ({team}) lost the wheel of "
                f"{name(last) if last else 'his last man'} at {since:.1f} km",
                "critical" if team == self.settings.team.code else "warning",
                key=f"lost_wheel:{team}",
            )
        return state, round(since, 2), observed if observed != state else None

    def _top_alerts(self, t: float, head_km: float, trains: list[Train], alerts: AlertLog) -> None:
        """A train in the fight whose sprinter drops out of the top 20 from 3 km to go (or is
        already out of it at 3 km) is announced, once per time it drops out. Only a train
        riding together counts: one that broke up is no longer a train out of the top 20."""
        for train in trains:
            if train.team not in self._engaged or train.status not in ENGAGED:
                continue
            before = self._outside_top.get(train.team)
            limit = TOP_RANK_AT_3KM - (TOP_BAND if before else 0)
            outside, changed_from = self._outside_top.update(
                train.team, train.sprinter_rank > limit
            )
            if outside and (before is None or changed_from is False):
                alerts.raise_(
                    t,
                    "train_out_of_top",
                    f"{train.team} train out of the top {TOP_RANK_AT_3KM} at {head_km:.1f} km "
                    f"({self._roster.name(train.sprinter)} {ordinal(train.sprinter_rank)})",
                    "warning",
                    key=f"train_out_of_top:{train.team}",
                )


def _train_riders(
    riders: tuple[Bib, ...], sprinter: Bib, frame: BunchFrame, speed_kmh: float | None
) -> tuple[TrainRider, ...]:
    """The train in road order: ranks in the race and the distance from each to the wheel ahead
    (never negative: a rider ahead of the one in front of him by less than the noise is on his
    wheel)."""
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
                role="sprinter" if bib == sprinter else "leadout",
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
