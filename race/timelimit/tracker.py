"""The time limit, live: the day's cut from the rules, each group's projected margin to it,
the alerts when a watched rider's group gets tight, and the countdown after the winner's finish.

The rules come from a `RuleSet` (race/timelimit/rulesets/*.toml). Before the winner finishes, his
time is forecast from the head of the race and each group's gap at the finish is projected from the
road still to come (`race.timelimit.forecast`), measured on the head's whole road so that a catch
does not move it (`_road_gaps`). After the winner finishes, his time and the cut are final, each
group still on the road gets a countdown, and riders who finish outside are listed.

A directeur sportif must never be told "safe" falsely, nor be spammed: a status gets worse as
soon as the projection says so, better only with a margin to spare (`UNCERTAIN_SHARE`), and a
watched rider hears the better news only once it has held (`ANNOUNCE_BETTER_AFTER_KM`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from race.alerts import AlertLog
from race.frame import Frame
from race.gaps.lineage import Lineage
from race.models import Bib, Stage
from race.settings import EngineSettings
from race.situation import AlertLevel, GroupView, LimitGroup, LimitStatus, Roster, TimeLimit
from race.timelimit.forecast import (
    DEGENKOLB_S_PER_PCT_KM,
    DESCENT_REGAIN_S_PER_PCT_KM,
    LossModel,
    Terrain,
    forecast_winner_time,
)
from race.timelimit.rules import RuleSet, assumed_class, cut_seconds, percent_for, stage_class
from race.wording import clock, signed_clock

SETTLED_AFTER_KM = 20.0
"""Before the head has covered this much, the winner's forecast swings too much for alerts."""
STATUS_FRAMES = 2
"""A group's status changes once the new one has been seen in this many frames in a row."""
EDGE_HOLD_KMH = 0.1
EDGE_HOLD_PER_STAGE_KMH = 0.8
"""While the winner's time is a forecast, the percentage it had is kept until the forecast
speed is this far past a band edge: `EDGE_HOLD_KMH` plus `EDGE_HOLD_PER_STAGE_KMH` times the
share of the stage still to ride. Without the hold, the cut would jump by a whole percent
(2-3 minutes on a mountain stage) each time the forecast crossed an edge and back.

The forecast swings as the race changes phase. On the simulated mountain stage it falls by
0.5-0.7 km/h on the last big climbs, a third of the stage from the line, then recovers
(measured over ten seeds: bench/timelimit_projection.py prints each run's percentages); with
0.4 km/h per stage the hold was 0.24 km/h there, and on four seeds of ten the cut dropped by
a percent and came back, the grupetto going to danger and back on the way. On the real stage
5 recording the forecast is up to 2.5 km/h low mid-stage (the finale is faster than the
average), but it only rises: the hold delays that one change."""
PROVISIONAL_KM = 5.0
"""A new group keeps the status of the group its riders came from until it has ridden this
much road of its own: before that its projection rests on rules of thumb, not on its pace."""
MIN_STRETCH_KM = 0.25
"""A group's gap change is learned over stretches of at least this much road."""
MAX_LOSS_S_PER_KM = 200.0
"""A gap that grows faster than this between two frames (plus `JUMP_ALLOWANCE_S`) is a stop, a
crash or a change of the group's first rider, not the terrain: the model skips it. (A grupetto
loses about 60 s per km on a big climb.)"""
MAX_GAIN_S_PER_KM = 30.0
"""A gap that shrinks faster than this is a GPS jump (real feeds move a rider by up to a km in
one frame) or a change of first rider: no group regains more than a few seconds per km."""
JUMP_ALLOWANCE_S = 5.0
FORGET_GROUP_AFTER = 30
"""A group's learned losses are kept this many updates after it was last seen (groups split
and merge; a returning id takes its history back)."""
KEEPS_ITSELF = 0.75
"""A group that keeps its id but not this share of its riders is treated as a new group."""
REFERENCE_CLIMB_PCT = 7.0
"""The projection's basis quotes the loss learned on a climb this steep."""
ANNOUNCE_BETTER_AFTER_KM = 3.0
"""A watched rider's status is announced at once when it gets worse, but when it gets better
only once it has stayed better over this much of his road. Riders go in and out of the back
of a bunch, and of the groups it sheds, every few hundred metres (on the real stage 5
recording, within 1 km), and a margin drifts back and forth across a threshold: each time
the news would be good, then bad again. The all-clear can wait a few minutes; a warning
cannot."""
UNCERTAIN_SHARE = 0.45
"""A projection is uncertain by about this share of the losses and gains it still counts on
(each kind of road's, added in absolute value): before a status gets better, the margin must
clear the threshold by that much on top of `status_band_s`.

A directeur sportif must not be told "safe" while the road left can still take the margin
away. Measured frame by frame on the simulated mountain stage over ten seeds
(bench/timelimit_projection.py), the 90th percentile of the projected margin's error against
the final margin is 0.12-0.22 of that spread with 60-100 km to go, and 0.38-0.47 between 60
and 30 km to go, where the last climb holds what the group's pace so far does not show (a
crisis, a chase): this share covers nearly all of it. Near the line the spread, and so the
extra clearance, falls to a few seconds. A worse status needs no such evidence."""

_SEVERITY: dict[LimitStatus, int] = {"safe": 0, "tight": 1, "danger": 2, "outside": 3}


@dataclass
class _GroupState:
    """What the tracker keeps about one group between updates."""

    model: LossModel
    anchor: tuple[float, float] | None = None
    """(km from the start, gap) where the stretch being measured began."""
    last: tuple[float, float] | None = None
    """(km from the start, gap) at the previous update."""
    status: LimitStatus | None = None
    own_km: float = 0.0
    """Road this group has been learned on since it formed (not counting what it inherited)."""
    inherited: bool = False
    """The group formed from others and took their status: held for `PROVISIONAL_KM`."""
    pending: LimitStatus | None = None
    pending_count: int = 0
    seen: int = 0
    """Update counter when the group was last seen."""
    riders: frozenset[Bib] = frozenset()
    """Its riders at the last update."""

    @property
    def provisional(self) -> bool:
        """It formed lately and still shows the status its riders came with."""
        return self.inherited and self.own_km < PROVISIONAL_KM


@dataclass
class _Memory:
    """Everything the tracker learns during one stage (a new stage starts a new memory)."""

    groups: dict[str, _GroupState] = field(default_factory=dict)
    previous_status: dict[str, LimitStatus | None] = field(default_factory=dict)
    """Each group's status at the last update, before it was settled."""
    road_group: dict[Bib, str] = field(default_factory=dict)
    """Once the winner has finished: each rider's group while he was on the road (his last one
    once he has finished)."""
    crossing: set[str] = field(default_factory=set)
    """Road groups whose first riders have crossed the line."""
    rider_status: dict[Bib, LimitStatus] = field(default_factory=dict)
    """Each watched rider's status as last announced."""
    better_since: dict[Bib, float] = field(default_factory=dict)
    """Watched riders whose status is better than announced: where it got better (his group's
    km to go)."""
    finished: set[Bib] = field(default_factory=set)
    """Watched riders whose finish has been handled."""
    announced_groups: set[str] = field(default_factory=set)
    """Road groups announced inside the limit."""
    announced_inside: set[Bib] = field(default_factory=set)
    """Watched riders named in such an announcement while still a few metres from the line."""
    held_percent: float | None = None
    updates: int = 0


class TimeLimitTracker:
    """The time-limit picture, updated once per situation by the engine."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._stage: Stage | None = None
        self._roster = Roster()
        self._terrain: Terrain | None = None
        self._watched: list[Bib] = []
        self._m = _Memory()

    def set_stage(self, stage: Stage, roster: Roster) -> None:
        if self._stage is not None and (stage.name, stage.distance_km) != (
            self._stage.name,
            self._stage.distance_km,
        ):
            self._m = _Memory()  # another stage: nothing learned on this one applies
        self._stage = stage
        self._roster = roster
        self._terrain = Terrain(stage)
        self._watched = self._watch_list()

    # --- The rule of the day -----------------------------------------------------------------

    def _coefficient(self, rules: RuleSet) -> tuple[int | str | None, bool]:
        """The stage's class in force and whether it was assumed from the stage type."""
        if self.settings.stage.class_in_force is not None:
            return self.settings.stage.class_in_force, False
        if self._stage is None:
            return None, False
        if self._stage.coefficient is not None:
            return self._stage.coefficient, False
        assumed = assumed_class(rules, self._stage.type)
        if assumed is not None and assumed.isdigit():
            return int(assumed), True  # a Tour coefficient, as the feed or config would give it
        return assumed, True

    def _percent(
        self,
        rules: RuleSet,
        coefficient: int | str,
        speed_kmh: float,
        final: bool,
        share_to_go: float,
    ) -> float:
        """The table's percentage, held at a band edge while the winner's time is a forecast."""
        fixed = self.settings.stage.itt_percent
        percent = percent_for(rules, coefficient, speed_kmh, fixed_percent=fixed)
        held = self._m.held_percent
        if not final and held is not None and held != percent:
            hold = EDGE_HOLD_KMH + EDGE_HOLD_PER_STAGE_KMH * min(max(share_to_go, 0.0), 1.0)
            low = percent_for(rules, coefficient, max(speed_kmh - hold, 0.0), fixed_percent=fixed)
            high = percent_for(rules, coefficient, speed_kmh + hold, fixed_percent=fixed)
            if low <= held <= high:
                percent = held
        self._m.held_percent = None if final else percent
        return percent

    def forecast_winner_time(self, race_time_s: float, head_km: float) -> float | None:
        """Forecast of the winner's time from the head of the race's progress."""
        stage, terrain = self._stage, self._terrain
        if stage is None or terrain is None:
            return None
        covered = stage.distance_km - head_km
        return forecast_winner_time(terrain, stage.distance_km, race_time_s, covered)

    # --- Each update -------------------------------------------------------------------------

    def update(self, frame: Frame) -> TimeLimit:
        """One update.

        `frame.head_passage` tells when the head of the race passed a point (km to go → feed
        time), whoever was at the head then: the engine's record of the first rider at each
        frame. Each group is learned and projected on it (`_road_gaps`). Without it, the groups'
        own gaps are used as they are.
        """
        t, race_time_s, head_km = frame.t, frame.race_time_s, frame.head_km
        winner_time_s, winner_t, groups = frame.winner_time_s, frame.winner_t, frame.groups
        alerts = frame.alerts
        rules = self.settings.rules
        stage = self._stage
        if rules is None or stage is None:
            return TimeLimit()
        self._m.updates += 1
        coefficient, assumed = self._coefficient(rules)
        label = _class_label(coefficient, assumed)
        common = {
            "rules": rules.name,
            "coefficient": coefficient if isinstance(coefficient, int) else None,
            "category": str(coefficient) if coefficient is not None else None,
            "assumed": assumed,
        }
        behind = list(groups[1:] if groups and groups[0].gap_s == 0 else groups)
        road_gaps = _road_gaps(t, groups, frame.head_passage)
        # Learn from every frame, whatever else is missing: the losses are the group's own.
        states = self._track_groups(groups, frame.lineage, road_gaps, winner_time_s is not None)
        if coefficient is None:
            return TimeLimit(
                **common,
                basis=f"{rules.name}: no class for a {stage.type} stage; "
                "set [stage] coefficient or category",
            )
        try:
            table = stage_class(rules, coefficient)
        except ValueError:
            return TimeLimit(
                **common,
                basis=f"{rules.name} has no {label}: set [stage] coefficient or category",
            )
        final = winner_time_s is not None
        winner_time: float | None = winner_time_s
        if winner_time is None and race_time_s is not None and head_km is not None:
            winner_time = self.forecast_winner_time(race_time_s, head_km)
        if winner_time is None or winner_time <= 0:
            return TimeLimit(**common, basis=f"{label} · waiting for the race to start")

        speed = stage.distance_km / winner_time * 3600.0
        share_to_go = (head_km or 0.0) / stage.distance_km
        percent = self._percent(rules, coefficient, speed, final, share_to_go)
        extra = self.settings.stage.extra_points
        cut = cut_seconds(rules, winner_time, percent, extra)
        approx = "=" if final else "≈"
        points = f"{percent:g} + {extra:g} %" if extra else f"{percent:g} %"
        if table.bands is None:
            rule = f"{points} of the winner's {approx} {clock(winner_time)}"
        else:
            rule = f"winner {approx} {speed:.1f} km/h → {points}"
        basis = f"{label} · {rule} → cut {approx} +{clock(cut)}"

        settled = final or (head_km is not None and stage.distance_km - head_km >= SETTLED_AFTER_KM)
        watched = self._watched
        limit_groups = [
            self._limit_group(
                t, group, road_gaps[group.id], states[group.id], cut, final, winner_t, watched
            )
            for group in behind
        ]
        if settled:
            self._alert_transitions(t, behind, limit_groups, alerts)
        self._alert_finishes(t, behind, limit_groups, alerts)

        reinstated = set(self.settings.time_limit.reinstated)
        outside: list[tuple[float, Bib]] = []
        if final:
            outside = sorted(
                (g.gap_s, b) for g in behind if g.finished and g.gap_s > cut for b in g.riders
            )
        return TimeLimit(
            **common,
            percent=percent + extra,
            winner_time_s=round(winner_time, 1),
            winner_speed_kmh=round(speed, 2),
            final=final,
            cut_s=round(cut, 1),
            basis=basis,
            groups=tuple(limit_groups),
            finished_outside=tuple(b for _, b in outside if b not in reinstated),
            reinstated=tuple(b for _, b in outside if b in reinstated),
        )

    # --- Groups: learning and projecting ------------------------------------------------------

    def _track_groups(
        self,
        groups: Sequence[GroupView],
        lineage: Lineage | None,
        road_gaps: dict[str, float],
        final: bool,
    ) -> dict[str, _GroupState]:
        """Each group's state (a new group takes the status of the one its riders came from,
        as `lineage` says), with the gap change since the last update learned. Without a
        lineage (a time trial: one rider per row) every group is its own."""
        peloton = next((i for i, g in enumerate(groups) if g.kind == "peloton"), None)
        states: dict[str, _GroupState] = {}
        for index, group in enumerate(groups):
            riders = frozenset(group.riders)
            state = self._m.groups.get(group.id)
            kept = lineage.kept(group.id) if lineage is not None else None
            if state is None or (kept is not None and kept < KEEPS_ITSELF):
                # New, or the same id on another group: it shed riders (a bunch leaving its
                # grupetto behind, or the other way round), or the id came back on other riders
                # (riders going in and out of the back of a bunch). What it showed was the pace
                # of the group it was, and its status is that of the group its riders come from.
                parent = lineage.parent(group.id) if lineage is not None else None
                state = self._inherit(riders, parent)
            state.riders = riders
            self._m.groups[group.id] = state
            state.seen = self._m.updates
            dropped = group.kind in ("grupetto", "dropped") or (
                peloton is not None and index > peloton
            )
            # A group already dropped climbs slower than the head and regains a little on the
            # descents: rules of thumb are its prior. Groups at the front assume nothing.
            state.model.prior = (
                (DEGENKOLB_S_PER_PCT_KM, 0.0, DESCENT_REGAIN_S_PER_PCT_KM)
                if dropped
                else (0.0, 0.0, 0.0)
            )
            if not group.finished:
                self._learn(state, group, road_gaps[group.id])
            states[group.id] = state
        # The statuses as they were before this update settles them: what a group formed at
        # the next update inherits.
        self._m.previous_status = {gid: s.status for gid, s in states.items()}
        if final:
            # A group crossing the line stays one group for its riders still on the road (the
            # engine gives those a new id when the first of them finish).
            road_group, crossing = self._m.road_group, self._m.crossing
            for g in groups:
                for bib in g.riders:
                    road = road_group.get(bib)
                    if g.finished:
                        if road is not None:
                            crossing.add(road)
                    elif road not in crossing:
                        road_group[bib] = g.id
        stale = [
            g for g, s in self._m.groups.items() if self._m.updates - s.seen > FORGET_GROUP_AFTER
        ]
        for gid in stale:
            del self._m.groups[gid]
        return states

    def _inherit(self, riders: frozenset[Bib], parent: str | None) -> _GroupState:
        """A new group takes the status of the group most of its riders were in (its parent),
        not its pace: a group forms because its riders ride at another pace (dropped, away)."""
        status = self._m.previous_status.get(parent) if parent is not None else None
        if status is None:
            return _GroupState(model=LossModel(), riders=riders)
        return _GroupState(model=LossModel(), status=status, inherited=True, riders=riders)

    def _learn(self, state: _GroupState, group: GroupView, gap: float) -> None:
        """Learn the group's gap change (`gap`: on the head's road) since its stretch began."""
        stage, terrain = self._stage, self._terrain
        assert stage is not None
        assert terrain is not None
        x = stage.distance_km - group.km_to_finish
        last, state.last = state.last, (x, gap)
        if last is None or state.anchor is None:
            state.anchor = (x, gap)
            return
        dx, dg = x - last[0], gap - last[1]
        if (
            dx < 0
            or dg > JUMP_ALLOWANCE_S + MAX_LOSS_S_PER_KM * dx
            or -dg > JUMP_ALLOWANCE_S + MAX_GAIN_S_PER_KM * dx
        ):
            state.anchor = (x, gap)
            return
        ax, ag = state.anchor
        if x - ax >= MIN_STRETCH_KM:
            state.model.add(terrain.load(ax, x), gap - ag)
            state.own_km += x - ax
            state.anchor = (x, gap)

    def _projection(
        self, state: _GroupState, group: GroupView, road_gap: float
    ) -> tuple[float, str, float]:
        """The group's gap to the winner at the finish, how it was projected, and the spread
        of what it counts on over the road left (see `UNCERTAIN_SHARE`).

        Its gap on the head's road plus what it is expected to lose to the head over the road
        left. "To come" in the basis is counted from the gap shown (on the first rider's own
        trajectory): after a catch it includes what the new head gained on the old one over
        the road the group has still to ride.
        """
        stage, terrain = self._stage, self._terrain
        assert stage is not None
        assert terrain is not None
        if group.finished:
            return group.gap_s, "finished", 0.0
        x = stage.distance_km - group.km_to_finish
        road = terrain.load(min(x, stage.distance_km), stage.distance_km)
        a, c, b = state.model.coefficients()
        climbs, flats, descents = a * road.climb, c * road.flat, b * road.descent
        projected = max(road_gap + climbs + flats + descents, 0.0)
        spread = abs(climbs) + abs(flats) + abs(descents)
        parts = [f"now +{clock(group.gap_s)}", f"to come {signed_clock(projected - group.gap_s)}"]
        if road.climb > 0:
            parts.append(
                f"climbs ≈ {a * (REFERENCE_CLIMB_PCT - 2.0):.0f} s/km at {REFERENCE_CLIMB_PCT:g} %"
            )
        if road.descent > 0:
            parts.append(f"descents {b * 4.0:+.0f} s/km at −6 %")
        return projected, " · ".join(parts), spread

    def _limit_group(
        self,
        t: float,
        group: GroupView,
        road_gap: float,
        state: _GroupState,
        cut: float,
        final: bool,
        winner_t: float | None,
        watched: list[Bib],
    ) -> LimitGroup:
        projected, basis, spread = self._projection(state, group, road_gap)
        margin = cut - projected
        countdown = None
        if final and winner_t is not None and not group.finished:
            countdown = winner_t + cut - t
        if group.finished:
            status = _status(
                margin,
                self.settings.time_limit.tight_margin_s,
                self.settings.time_limit.danger_margin_s,
            )
            state.status, state.pending = status, None
        else:
            expired = countdown is not None and countdown < 0
            status = self._settle(
                state, margin, UNCERTAIN_SHARE * spread, forced="outside" if expired else None
            )
        riders = state.riders  # the group's riders, as a set
        return LimitGroup(
            id=group.id,
            name=group.name,
            projected_gap_s=round(projected, 1),
            margin_s=round(margin, 1),
            status=status,
            watched=tuple(b for b in watched if b in riders),
            countdown_s=round(countdown, 1) if countdown is not None else None,
            finished=group.finished,
            basis=basis,
        )

    def _settle(
        self,
        state: _GroupState,
        margin: float,
        uncertainty: float,
        forced: LimitStatus | None = None,
    ) -> LimitStatus:
        """The group's status: worse at once past a threshold (after `STATUS_FRAMES` frames),
        better only once the margin clears the threshold by `status_band_s` plus the
        projection's `uncertainty`."""
        tight, danger = (
            self.settings.time_limit.tight_margin_s,
            self.settings.time_limit.danger_margin_s,
        )
        raw = forced or _status(margin, tight, danger)
        previous = state.status
        if previous is None:
            state.status = raw
            return raw
        if forced is None and state.provisional:
            return previous
        if forced is None and _SEVERITY[raw] < _SEVERITY[previous]:
            relaxed = _status(
                margin - self.settings.time_limit.status_band_s - uncertainty, tight, danger
            )
            raw = relaxed if _SEVERITY[relaxed] < _SEVERITY[previous] else previous
        if raw == previous:
            state.pending, state.pending_count = None, 0
            return previous
        if state.pending == raw:
            state.pending_count += 1
        else:
            state.pending, state.pending_count = raw, 1
        if state.pending_count < STATUS_FRAMES:
            return previous
        state.status = raw
        state.pending, state.pending_count = None, 0
        return raw

    # --- Watched riders and alerts -----------------------------------------------------------

    def _watch_list(self) -> list[Bib]:
        """Watched riders, "my team" first: configured, or each team's sprinter."""
        if self.settings.time_limit.watch:
            watched = list(self.settings.time_limit.watch)
        else:
            watched = [b for b, r in self._roster.riders.items() if r.role == "sprinter"]
            watched += [
                t.sprinter for t in self.settings.leadout.trains if t.sprinter not in watched
            ]
        my_team = self.settings.team.code
        riders = self._roster.riders
        watched.sort(key=lambda b: (not (my_team and b in riders and riders[b].team == my_team), b))
        return watched

    def _alert_transitions(
        self,
        t: float,
        groups: Sequence[GroupView],
        limit_groups: Sequence[LimitGroup],
        alerts: AlertLog,
    ) -> None:
        """One alert per group whose watched riders change status, once per transition: a
        worse status at once, a better one once it has held (`ANNOUNCE_BETTER_AFTER_KM`)."""
        announced, better_since = self._m.rider_status, self._m.better_since
        for group, limit in zip(groups, limit_groups, strict=True):
            if group.finished:
                continue
            moved: dict[LimitStatus, list[Bib]] = {}
            for bib in limit.watched:
                before = announced.get(bib, "safe")
                if before == limit.status:
                    better_since.pop(bib, None)
                    continue
                if _SEVERITY[limit.status] < _SEVERITY[before]:
                    if self._m.groups[group.id].provisional:
                        # The status its riders came with, not what its margin shows.
                        better_since.pop(bib, None)
                        continue
                    since = better_since.setdefault(bib, group.km_to_finish)
                    if since - group.km_to_finish < ANNOUNCE_BETTER_AFTER_KM:
                        continue
                better_since.pop(bib, None)
                moved.setdefault(before, []).append(bib)
                announced[bib] = limit.status
            for before, bibs in moved.items():
                self._raise_transition(t, group, limit, before, bibs, alerts)

    def _raise_transition(
        self,
        t: float,
        group: GroupView,
        limit: LimitGroup,
        before: LimitStatus,
        bibs: list[Bib],
        alerts: AlertLog,
    ) -> None:
        status = limit.status
        who = f"{group.name} ({self._names(bibs)})"
        if limit.countdown_s is not None and limit.countdown_s < 0:
            where = "the limit has passed"
        else:
            where = f"{group.km_to_finish:.0f} km to go"
        margin = f"margin {'−' if limit.margin_s < 0 else ''}{clock(abs(limit.margin_s))}"
        level: AlertLevel
        if _SEVERITY[status] > _SEVERITY[before]:
            level = "critical" if status in ("danger", "outside") else "warning"
            text = f"Time limit {status.upper()}: {who} {margin}, {where}"
        else:
            level = "info"
            text = f"Time limit: {who} back to {status}, {margin}, {where}"
        alerts.raise_(
            t, f"time_limit_{status}", text, level, key=f"time_limit:{bibs[0]}:{before}:{status}"
        )

    def _alert_finishes(
        self,
        t: float,
        groups: Sequence[GroupView],
        limit_groups: Sequence[LimitGroup],
        alerts: AlertLog,
    ) -> None:
        """When watched riders cross the line: inside the limit or not, and by how much.

        A group is announced once, as it was on the road, when its first riders cross the line
        (a grupetto strung out over the line spans several frames and finished groups); the
        announcement names its watched riders still a few metres from the line too. A watched
        rider who then finishes outside gets his own alert.
        """
        arrivals: dict[str, list[tuple[Bib, float]]] = {}
        for group, limit in zip(groups, limit_groups, strict=True):
            if not group.finished:
                continue
            for bib in limit.watched:
                if bib in self._m.finished:
                    continue
                self._m.finished.add(bib)
                self._m.rider_status[bib] = limit.status
                self._m.better_since.pop(bib, None)
                road = self._m.road_group.get(bib, group.id)
                arrivals.setdefault(road, []).append((bib, limit.margin_s))
        on_road = {b for g in groups if not g.finished for b in g.riders}
        for road, arrived in arrivals.items():
            inside = [(b, m) for b, m in arrived if m >= 0 and b not in self._m.announced_inside]
            if inside and road not in self._m.announced_groups:
                self._m.announced_groups.add(road)
                coming = [
                    b for b in self._watched if b in on_road and self._m.road_group.get(b) == road
                ]
                self._m.announced_inside.update(coming)
                named = {b for b, _ in inside} | set(coming)
                bibs = [b for b in self._watched if b in named]  # my team first
                margin = min(m for _, m in inside)
                text = f"{self._names(bibs)} in, {clock(margin)} inside the time limit"
                alerts.raise_(t, "time_limit_finish", text, "info", key=f"time_limit_in:{road}")
            outside = [(b, m) for b, m in arrived if m < 0]
            if outside:
                late_ones = {b for b, _ in outside}
                bibs = [b for b in self._watched if b in late_ones]
                late = clock(-max(m for _, m in outside))
                text = f"{self._names(bibs)} finish {late} OUTSIDE the time limit"
                alerts.raise_(
                    t, "time_limit_finish", text, "critical", key=f"time_limit_out:{bibs[0]}"
                )

    def _names(self, bibs: Sequence[Bib]) -> str:
        return self._roster.names(bibs, limit=3)


def _road_gaps(
    t: float,
    groups: Sequence[GroupView],
    head_passage: Callable[[float], float | None] | None,
) -> dict[str, float]:
    """Each group's gap on the head's road: now minus when the head of the race, whoever it
    was, passed the group's first rider's point (a finished group: its gap at the line).

    The gaps shown are measured on the current first rider's own trajectory, as official
    timing does, so a catch moves every gap behind at once by the old head's lead at that
    point of the road. What a group loses is learned and projected on a reference that does
    not jump: the head's road is the chain of first riders, each taking over where he caught
    (or passed) the last, and it ends on the line at the winner's time, so a group's gap on
    it at the line is its gap to the winner. After a catch the gap on the head's road is the
    gap shown plus the old head's lead at the group's point: exactly what the new head gained
    on the old one over the road the group has still to ride before the place of the catch,
    which is recorded, not guessed.
    """
    gaps: dict[str, float] = {}
    for group in groups:
        gap = group.gap_s
        if head_passage is not None and not group.finished:
            passed = head_passage(group.km_to_finish)
            if passed is not None:
                gap = max(t - passed, 0.0)
        gaps[group.id] = gap
    return gaps


def _status(margin: float, tight: float, danger: float) -> LimitStatus:
    if margin < 0:
        return "outside"
    if margin < danger:
        return "danger"
    if margin < tight:
        return "tight"
    return "safe"


def _class_label(coefficient: int | str | None, assumed: bool) -> str:
    """ "coef 4", "cat D", with "(assumed)" when guessed from the stage type."""
    if coefficient is None:
        return "coef ?"
    text = str(coefficient)
    word = "coef" if text.isdigit() else "cat"
    return f"{word} {text}{' (assumed)' if assumed else ''}"
