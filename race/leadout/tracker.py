"""Lead-out trains: where each sprinter's train is in the bunch, and whether he holds the wheel.

Positions come smoothed from `race.leadout.bunch` with their uncertainty; each train is read
frame by frame (`race.leadout.reading`). A state is only asserted when the data supports it
(its probability given the uncertainty), must be seen in two consecutive frames to replace the
previous one, and carries its confidence to the screen.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from statistics import median

from race.alerts import AlertLog
from race.frame import Frame
from race.leadout.bunch import BunchFrame, BunchTracker
from race.leadout.contention import in_contention, makeup, small_group
from race.leadout.positions import Deferred, road_positions
from race.leadout.reading import TrainOrder, read_train, train_riders
from race.leadout.result import sprint_result
from race.leadout.states import SPRINT_OVER_KM, SprinterStates
from race.leadout.top import CHECK_TOP_KM, TopWatch
from race.leadout.trains import (
    FRONT_RIDERS,
    TrainDetector,
    TrainPlan,
    declared_plans,
    front_trains,
)
from race.leadout.views import (
    finale_view,
    front_first,
    judgeable,
    unconfirmed_train,
    with_places_on_road,
)
from race.models import Bib, Stage
from race.settings import EngineSettings
from race.situation import Finale, Roster, SprinterState, Train
from race.tracking.geometry import RouteLine

RANK_BAND = 2
"""A sprinter out of position is back in position only this many places inside the limit: ranks
near the limit swap with every frame."""
BEFORE_WATCH_EVERY_S = 30.0
"""Before the trains are watched, the sprinters' positions are an overview: refreshed every 30 s
of race time."""


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
        self._states = SprinterStates()
        self._sprinters: dict[str, Bib] = {}
        self._top = TopWatch()
        self._last_t: float | None = None
        self._view: tuple[tuple[Train, ...], Finale] | None = None
        self._view_t: float | None = None
        self._shown: tuple[tuple[Train, ...], Finale] = ((), Finale())
        """What the panel shows: the last frame's picture (it stands after the sprint)."""
        self._route: RouteLine | None = None

    @property
    def watch_km(self) -> float:
        """From this distance to go every frame counts: trains are detected and followed."""
        return self.settings.leadout.watch_km

    def set_roster(self, roster: Roster) -> None:
        self._roster = roster
        self._team_of = {bib: rider.team for bib, rider in roster.riders.items()}
        self._declared = declared_plans(self.settings.leadout.trains, roster)

    def _forget(self, team: str) -> None:
        self._states.forget(team)
        self._top.forget(team)
        self._orders.pop(team, None)

    def set_stage(self, stage: Stage, roster: Roster) -> None:
        """A start list: the riders' teams and roles, and the route to place them on."""
        self.set_roster(roster)
        route = RouteLine(stage.profile, stage.distance_km)
        self._route = route if route.usable else None

    def update(self, frame: Frame) -> tuple[tuple[Train, ...], Finale]:
        """One update of the engine. From the last man's release to the line (and once the
        winner has finished) the last picture of the finale stands."""
        head_km = frame.head_km
        if frame.winner_t is not None:
            trains, finale = self._shown
            self._shown = (trains, sprint_result(finale, frame.finished))
            return self._shown
        if head_km is not None and head_km <= SPRINT_OVER_KM:
            return self._shown
        t = frame.t
        unchanged = self._unchanged(t, head_km)
        if unchanged is not None:
            # What `observe` would answer without reading the riders: they are not gathered.
            self._shown = unchanged
            return unchanged
        contenders = in_contention(frame.road, head_km)
        if contenders and self._view is not None and all(p[3].t < t for p in contenders):
            # None of the riders in the sprint is in this frame (the feed lost them): their
            # places are held, not seen. The picture of their last fixes stands.
            trains, finale = self._shown
            self._shown = (trains, finale.model_copy(update={"head_km_to_finish": head_km}))
            return self._shown
        # My team's riders are followed wherever they are; nobody else's outside the sprint.
        mine = self.settings.team.code
        outside = {
            placed[2]: rank
            for rank, placed in enumerate(frame.road[len(contenders) :], start=len(contenders) + 1)
            if mine is not None and self._team_of.get(placed[2]) == mine
        }
        placed = frame.finished + contenders + [p for p in frame.road if p[2] in outside]
        watching = head_km is not None and head_km <= self.watch_km
        # Before the lead-out is watched the overview is redrawn only every so often: what it
        # reads is made only if it reads it. When watched it reads them all, every frame.
        where = Deferred(lambda: road_positions(t, placed, head_km, self._route, watching))
        speeds = Deferred(lambda: {bib: track.speed for _, _, bib, track in placed})
        self._shown = self.observe(
            t=t,
            head_km=head_km,
            positions=where.made() if watching else where,
            fresh={bib for _, _, bib, track in placed if track.t == t} if watching else (),
            speeds=speeds.made() if watching else speeds,
            alerts=frame.alerts,
            outside=outside,
            small_group_clear_s=small_group(contenders, frame.road),
        )
        return self._shown

    def observe(
        self,
        *,
        t: float,
        head_km: float | None,
        positions: Mapping[Bib, float],
        fresh: Collection[Bib],
        speeds: Mapping[Bib, float | None],
        alerts: AlertLog,
        outside: Mapping[Bib, int] | None = None,
        small_group_clear_s: float | None = None,
    ) -> tuple[tuple[Train, ...], Finale]:
        """Take one frame: `positions` are the km to go of the riders on the road, `fresh` those
        whose position is a new fix, `speeds` their speeds (km/h). `outside` are my team's riders
        out of the sprint for the win, with their places on the road; `small_group_clear_s`,
        when the riders in the sprint are a small group, how far they are clear
        (`race.leadout.contention.small_group`)."""
        settings = self.settings
        outside = outside or {}
        watching = head_km is not None and head_km <= self.watch_km
        active = head_km is not None and head_km <= settings.leadout.finale_km
        unchanged = self._unchanged(t, head_km)
        if unchanged is not None:
            return unchanged
        cadence = t - self._last_t if self._last_t is not None else None
        self._last_t = t
        if not watching and not self._declared:
            # Nobody to place before the trains are watched: the positions are not even read.
            self._view = ((), finale_view(self.settings.leadout, head_km, active, cadence))
            self._view_t = t
            return self._view
        frame = (
            self._bunch.update(t, positions, fresh)
            if watching
            else self._bunch.snapshot(t, positions)
        )
        in_sprint = [b for b in frame.order if b not in outside]
        front_speeds = [s for b in in_sprint[:FRONT_RIDERS] if (s := speeds.get(b))]
        bunch_speed = median(front_speeds) if front_speeds else None
        resolution = bunch_speed / 3.6 * cadence if bunch_speed and cadence else None
        judged = judgeable(resolution, settings.leadout.wheel_m)
        small = active and small_group_clear_s is not None
        finale = finale_view(
            self.settings.leadout,
            head_km,
            active,
            cadence,
            resolution_m=round(resolution) if resolution else None,
            noise_m=round(frame.noise_m, 1) if watching else None,
            wheel_sigma_m=round(frame.pair_sigma_m(), 1) if watching else None,
            makeup=makeup(in_sprint, self._team_of) if small else None,
            clear_s=small_group_clear_s if small else None,
            judged=judged or not watching,
        )
        detecting = (
            watching
            and not small
            and head_km is not None
            and head_km <= settings.leadout.detect_km
            # A frame with only part of the field (fewer than half the riders a new fix) shows
            # no train as it rides: a train's men missing from it are not its order.
            and len(fresh) * 2 >= len(positions)
        )
        declared = {p.team for p in self._declared}
        # Who is at the front now: this frame's own fixes (the smoothed places lag a frame).
        seen = frame.latest
        front = front_trains(seen, self._team_of, bunch_speed, skip=declared) if detecting else []
        if detecting:
            self._detector.observe(seen, front)
        plans = self._declared + self._detector.plans()
        trains: list[Train] = []
        for plan in plans:
            if plan.sprinter not in frame.places:
                continue
            if small and plan.team != settings.team.code:
                continue  # A small group sprints without trains: its make-up is shown instead.
            if self._sprinters.get(plan.team, plan.sprinter) != plan.sprinter:
                self._forget(plan.team)  # Another sprinter: his train's story starts again.
            self._sprinters[plan.team] = plan.sprinter
            context = (frame, t, head_km, watching, active, bunch_speed)
            trains.append(self._train(plan, *context, alerts, judged=judged))
        known = {train.team for train in trains}
        trains += [
            unconfirmed_train(team, riders, seen, bunch_speed, settings.team.code)
            for team, riders in (self._detector.at_front(seen) if detecting else ())
            if team not in known
        ]
        trains = [with_places_on_road(train, outside) for train in trains]
        trains = front_first(trains, seen)
        if active and judged and head_km is not None and head_km <= CHECK_TOP_KM:
            self._top.check(t, head_km, trains, self._states.engaged, self._roster, alerts)
        self._view = (tuple(trains), finale)
        self._view_t = t
        return self._view

    def _unchanged(
        self, t: float, head_km: float | None
    ) -> tuple[tuple[Train, ...], Finale] | None:
        """The last picture when a frame at `t` does not redraw it: before the trains are
        watched, until the overview is due again; and a frame at the same instant (news, a
        status), when nothing moved. None: the frame is read."""
        view = self._view
        if view is None:
            return None
        watching = head_km is not None and head_km <= self.watch_km
        if not watching and self._view_t is not None and t - self._view_t < BEFORE_WATCH_EVERY_S:
            return view
        return view if t == self._last_t else None

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
        *,
        judged: bool = True,
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
        riders = train_riders(reading.riders, plan.sprinter, frame, bunch_speed)
        status: SprinterState | None = reading.state
        since: float | None = None
        pending: SprinterState | None = None
        confidence: float | None = None
        if watching and not judged:
            # The frames are too far apart to judge a wheel: nothing is claimed, and what was
            # established before the hole says nothing about now.
            self._states.drop(team)
            status = None
        elif watching:
            # Followed from where trains are watched, so that the finale starts with states
            # already established; alerts only in the finale.
            held, since, pending = self._states.follow(
                plan,
                (latest, reading),
                frame,
                t,
                head_km,
                alerts if active else None,
                self._roster,
                self.settings.team.code,
            )
            # A state held through frames that support it little stays (one noisy frame does
            # not change it), shown as unconfirmed (`Train.sure`).
            status = held
            confidence = round(max(reading.support[held], latest.support[held]), 2)
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
            confidence=confidence if status is not None else None,
            since_km=since if status is not None else None,
            pending=pending,
        )
