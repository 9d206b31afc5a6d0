"""Time trials: each rider against the clock, timed against the best time at the same point.

In a time trial riders start one by one, a minute or two apart: the first rider on the road
is simply the first starter, and groups on the road mean nothing. What a time trial panel
shows is each rider's time against the best time at the same point of the course (what the
race's own `secToITTLead` gives), the provisional ranking of the finishers, and who is on
course. This module computes that from the same telemetry:

- each rider's start: the end of his standing at the start line when the feed shows it, or
  his first fix extrapolated back at a standing start's speed; when the feed first sees him far
  down the course, his start follows from the provider's average speed if it gives one, and
  otherwise he cannot be timed (he is listed as such, never given a made-up time);
- the best elapsed time at every 100 m of the course, over every rider so far (the best and
  the second best, so a rider's own passage never hides how he compares with the others);
- each finish, extrapolated to the line from the last fixes (the feed stops tracking riders
  a few hundred metres before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from math import isfinite
from typing import Any

from race.alerts import AlertLog
from race.frame import Frame
from race.gaps.trends import GapHistory
from race.models import Bib, Stage, StageType, Telemetry
from race.settings import EngineSettings
from race.situation import GroupView, Roster, TimeTrialView
from race.timetrial.best import BestProfile
from race.timetrial.rider import TrialRider
from race.timetrial.rows import Notables, course_row, finished_row
from race.timetrial.splits import BASIS, comparable_gap, leader_split
from race.tracking.speeds import ReportedSpeeds
from race.tracking.tracks import (
    FINISH_KM,
    JUMP_CHECK_S,
    LOST_NEAR_LINE_KM,
    MAX_KMH,
    frozen,
    sent_again,
    usable_speed,
)
from race.wording import clock

TIME_TRIALS: frozenset[StageType] = frozenset({"itt", "ttt"})
"""Stage types analysed as time trials (a team time trial is timed rider by rider)."""
START_ZONE_KM = 0.3
"""A rider first seen this close to the start is timed from his start."""
START_KMH = 25.0
"""Average speed over the first few hundred metres of a standing start."""
MISSING_S = 15.0
"""A rider missing this long (two or three frames) near the line has finished."""
ON_COURSE_HOLD_S = 120.0
"""A rider missing this long elsewhere on the course is no longer shown (abandon, lost)."""
TREND_MIN_KM = 5.0
"""A time triallist's time against the leader's splits moves with the road (he may climb
better, descend worse): his trend needs this much of the course behind it."""
LIMIT_FINISHERS = 10
"""The slowest finishers handed to the time limit with the riders on course (the others are
minutes inside any cut; 140 rows a frame would cost more than the rest of the engine)."""


class TimeTrial:
    """The state of a time trial; `update` each frame, then read `groups`."""

    def __init__(self, stage: Stage, settings: EngineSettings) -> None:
        self.settings = settings
        self.riders: dict[Bib, TrialRider] = {}
        self._histories: dict[Bib, GapHistory] = {}
        self._finished_views: dict[Bib, GroupView] = {}
        self._course_views: dict[Bib, GroupView] = {}
        self._finished_order: list[GroupView] = []
        self._course_order: list[GroupView] = []
        self._without_split: int = 0
        self._start_seen: bool | None = None
        """Whether the feed began before any rider was out on the course (every start seen);
        None before the first fix."""
        self._views_best: float | None = None
        self.best_bib: Bib | None = None
        self.best_time_s: float | None = None
        self.jumps_rejected = 0
        """Fixes set aside as impossible jumps (counted for diagnostics)."""
        self.fixes_repeated = 0
        """Fixes that were a rider's last one sent again (`sent_again`), or that stood still
        while he rode (`frozen`), left out."""
        self.speeds = ReportedSpeeds()
        """Whether the feed's speeds are the riders' (`race.tracking.speeds`)."""
        self._roster = Roster()
        self.first_start_t: float | None = None
        self._distance = stage.distance_km
        self._profile = BestProfile(stage.distance_km)
        self.riders_expected: int | None = None
        self.withdrawn: set[Bib] = set()
        """Riders the organiser lists as out of the race (`withdraw`)."""

    def withdraw(self, bibs: Iterable[Bib]) -> None:
        """Riders the organiser lists as out of the race (an abandon on the course): a fix
        sent for one of them afterwards is no triallist's (his bike on the following car,
        driven to the line), so he is no longer on the course. A time he set stands."""
        for bib in bibs:
            self.withdrawn.add(bib)
            rider = self.riders.get(bib)
            if rider is not None and rider.finish_t is None:
                del self.riders[bib]
                self._histories.pop(bib, None)
                self._course_views.pop(bib, None)

    def set_stage(self, stage: Stage) -> None:
        """The stage, or its start list sent again: the best times kept unless the course's
        length changed (they are measured along it)."""
        if stage.distance_km == self._distance:
            return
        self._distance = stage.distance_km
        self._profile = BestProfile(stage.distance_km)
        self.riders_expected = None

    @property
    def start_basis(self) -> str:
        return "first rider's start" if self.first_start_t is not None else ""

    @property
    def all_finished(self) -> bool:
        """Every rider seen has finished (or stopped being tracked away from the line)."""
        if self.best_time_s is None:
            return False
        return not any(r.finish_t is None and r.start_t is not None for r in self._on_course())

    def _on_course(self) -> Iterable[TrialRider]:
        return (r for r in self.riders.values() if r.finish_t is None)

    # --- Frames ------------------------------------------------------------------------------

    def update(self, frame: Telemetry, alerts: AlertLog, roster: Roster) -> None:
        t = frame.t
        self._roster = roster
        distance = self._distance
        speeds_used = self.speeds.check(frame, self.riders)
        self.speeds.say(alerts, t)
        if self._start_seen is None and frame.riders:
            kms = [f.km_to_finish for f in frame.riders if f.km_to_finish is not None]
            if kms:
                self._start_seen = all(distance - km <= START_ZONE_KM for km in kms)
        for fix in frame.riders:
            km = fix.km_to_finish
            if km is None or not isfinite(km):
                continue
            km = max(0.0, min(km, distance))
            rider = self.riders.get(fix.bib)
            if rider is None:
                if fix.bib in self.withdrawn:
                    continue
                rider = TrialRider(fix.bib, t, km)
                self.riders[fix.bib] = rider
                covered = distance - km
                if covered <= START_ZONE_KM:
                    rider.zone_start = t - covered / START_KMH * 3600.0
                    rider.start_t = rider.zone_start
            if rider.finish_t is not None or t < rider.t:
                continue
            dt = t - rider.t
            if 0 < dt <= JUMP_CHECK_S and abs(rider.km - km) / dt * 3600.0 > MAX_KMH:
                # A position no rider can have reached: the live feed sometimes interleaves
                # a second, stale source for a bib (one at the line at walking pace).
                self.jumps_rejected += 1
                continue
            if km == rider.km and sent_again(fix, rider):
                self.fixes_repeated += 1  # His last fix sent again: no point of his road.
                rider.left_out(t, km, fix.lat, fix.lon)
                continue
            speed = usable_speed(fix.speed_kmh) if speeds_used else None
            if frozen(rider, km, speed, fix.lat, fix.lon, t):
                self.fixes_repeated += 1  # A km to go stuck while he rode: no point either.
                continue
            before = rider.path.last_km
            rider.t, rider.km, rider.speed = t, km, speed
            rider.lat, rider.lon = fix.lat, fix.lon
            if fix.jersey:
                rider.jersey = fix.jersey
            if fix.finished or km <= FINISH_KM:
                self._finish(rider, rider.path.time_to_reach(0.0) or t, alerts, roster)
                continue
            rider.path.add(t, km)
            self._time_start(rider, fix.avg_speed_kmh, km, t)
            if rider.start_t is not None:
                self._profile.record(
                    rider.bib, rider.start_t, rider.path, before if before is not None else km
                )
        for rider in self.riders.values():
            if rider.finish_t is None and rider.t < t - MISSING_S and rider.km <= LOST_NEAR_LINE_KM:
                arrival = rider.path.time_to_reach(0.0)
                if arrival is not None and arrival <= t:
                    self._finish(rider, arrival, alerts, roster)

    def _time_start(self, rider: TrialRider, avg_kmh: float | None, km: float, t: float) -> None:
        """Time a rider's start from the provider's average speed (`TrialRider.time_start`)."""
        start = rider.time_start(avg_kmh, self._distance - km, t)
        if start is not None and (self.first_start_t is None or start < self.first_start_t):
            self.first_start_t = start

    def _finish(self, rider: TrialRider, at: float, alerts: AlertLog, roster: Roster) -> None:
        rider.finish_t = max(at, rider.path.last_t or at)
        elapsed = rider.elapsed_s
        if elapsed is None:
            return
        if self.best_time_s is None or elapsed < self.best_time_s:
            first = self.best_time_s is None
            self.best_time_s, self.best_bib = elapsed, rider.bib
            word = "First time" if first else "Best time"
            alerts.raise_(
                rider.finish_t,
                "best_time",
                f"{word}: {roster.name(rider.bib)} in {clock(elapsed)}",
                key=f"best_time:{rider.bib}",
            )

    # --- Views -------------------------------------------------------------------------------

    def tracked(self, t: float) -> int:
        return sum(1 for r in self.riders.values() if self._shown(r, t))

    def _shown(self, rider: TrialRider, t: float) -> bool:
        return rider.finish_t is not None or rider.t >= t - ON_COURSE_HOLD_S

    def front_km(self) -> float | None:
        """Km to go of the rider nearest the line on the course."""
        kms = [r.km for r in self.riders.values() if r.finish_t is None]
        return min(kms) if kms else None

    def elapsed_since_first_start(self, t: float) -> float | None:
        if self.first_start_t is None or t < self.first_start_t:
            return None
        return t - self.first_start_t

    def summary(self, t: float) -> TimeTrialView:
        on_course = [r for r in self.riders.values() if r.finish_t is None and self._shown(r, t)]
        not_timed = tuple(sorted(r.bib for r in self.riders.values() if r.start_t is None))
        starters = self._roster.riders
        return TimeTrialView(
            on_course=len(on_course),
            finished=sum(1 for r in self.riders.values() if r.finish_t is not None),
            to_start=sum(1 for b in starters if b not in self.riders and b not in self.withdrawn)
            if starters
            else None,
            to_start_bound=not self._start_seen,
            without_split=self._without_split,
            not_timed=not_timed,
            best=self.best_bib,
            best_time_s=round(self.best_time_s, 1) if self.best_time_s is not None else None,
            basis=BASIS,
        )

    def situation_fields(self, t: float) -> dict[str, Any]:
        """The situation's facts about the race as a whole, as a time trial has them."""
        return {
            "t": t,
            "race_time_s": self.elapsed_since_first_start(t),
            "start_t": self.first_start_t,
            "start_basis": self.start_basis,
            "head_km_to_finish": self.front_km(),
            "head_speed_kmh": None,
            "winner_finished": self.all_finished,
            "winner": self.best_bib if self.all_finished else None,
            "riders_tracked": self.tracked(t),
            "time_trial": self.summary(t),
        }

    def time_limit_frame(
        self, t: float, stage: Stage | None, roster: Roster, alerts: AlertLog
    ) -> Frame:
        """What the time limit reads: the best time so far is the forecast of the winner's time
        (passed as the time of a head of the race on the line, the tracker uses it as it
        stands), final once every rider has finished; the rows are riders (`limit_groups`)."""
        best, done = self.best_time_s, self.all_finished
        return Frame(
            t=t,
            stage=stage,
            roster=roster,
            alerts=alerts,
            race_time_s=best if not done else None,
            head_km=0.0 if best is not None and not done else None,
            winner_time_s=best if done else None,
            groups=self.limit_groups,
        )

    def groups(self, t: float, notables: Notables) -> list[GroupView]:
        """One "group" per rider, ranked by his gap: finishers by their time, riders on
        course by their time against the provisional leader's at the point they have reached.

        A rider's row changes only with a fix of his own (feeds split an instant into partial
        frames: a rider missing from one keeps his last row), or when the best time changes.
        """
        best = self.best_time_s
        if best != self._views_best:
            self._finished_views.clear()
            self._course_views.clear()
            self._views_best = best
            self._rebase()
        finished: list[tuple[float, Bib, GroupView]] = []
        on_course: list[tuple[float, float, Bib, GroupView]] = []
        without_split = 0
        for rider in self.riders.values():
            bib = rider.bib
            if rider.start_t is None or not self._shown(rider, t):
                continue
            if rider.finish_t is not None:
                view = self._finished_views.get(bib)
                if view is None:
                    name, leader = self._roster.name(bib), bib == self.best_bib
                    view = finished_row(rider, name, best, leader, notables)
                    self._finished_views[bib] = view
                finished.append((view.gap_s, bib, view))
                continue
            view = self._course_views.get(bib)
            if view is None or rider.t == t:
                view = self._on_course_view(rider, notables)
                if view is None:
                    self._course_views.pop(bib, None)
                    without_split += 1
                    continue
                self._course_views[bib] = view
            on_course.append((view.gap_s, view.km_to_finish, bib, view))
        self._without_split = without_split
        finished.sort()
        on_course.sort()
        self._finished_order = [view for _, _, view in finished]
        self._course_order = [view for _, _, _, view in on_course]
        return sorted(
            self._finished_order + self._course_order,
            key=lambda v: v.gap_s,  # Stable: finishers before riders on course at equal gaps.
        )

    def _rebase(self) -> None:
        """A new provisional leader: the trends of the riders on course are remade on his
        splits (their gaps all change at once, they did not lose that time)."""
        for bib, history in self._histories.items():
            rider = self.riders[bib]
            start = rider.start_t
            if rider.finish_t is not None or start is None:
                continue

            def gap_at(at: float, km: float, start: float = start) -> float | None:
                split = self._leader_split(km)
                return at - start - split if split is not None else None

            history.rebase(gap_at)

    @property
    def limit_groups(self) -> list[GroupView]:
        """What the time limit needs: every rider on course, and the slowest finishers
        (`LIMIT_FINISHERS`): a rider outside the cut is one of them."""
        return self._course_order + self._finished_order[-LIMIT_FINISHERS:]

    def _leader_split(self, km: float) -> float | None:
        """The provisional leader's time at `km` to go, where the feed saw him."""
        leader = self.riders.get(self.best_bib) if self.best_bib is not None else None
        if leader is None or leader.start_t is None:
            return None
        return leader_split(leader.path, leader.start_t, km)

    def _on_course_view(self, rider: TrialRider, notables: Notables) -> GroupView | None:
        """A rider's row on course; None while he has no split to compare."""
        start = rider.start_t
        assert start is not None
        split = self._leader_split(rider.km)
        elapsed = rider.t - start
        gap = comparable_gap(
            elapsed, self._distance - rider.km, split, self._profile, rider.bib, rider.km
        )
        if gap is None:
            return None
        history = self._histories.get(rider.bib)
        if history is None:
            history = GapHistory(
                self.settings.gaps.trend_window_km,
                max(self.settings.gaps.trend_min_km, TREND_MIN_KM),
            )
            self._histories[rider.bib] = history
        # A trend only against the leader's own splits: one line through gaps on two
        # references (the best of the others, then the leader) would read the change of
        # reference as time gained or lost.
        if split is not None:
            history.add(rider.t, rider.km, gap)
        trend = history.trend() if split is not None else None
        return course_row(rider, self._roster.name(rider.bib), gap, trend, notables)
