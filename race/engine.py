"""The `Race` engine: feed events in, an immutable `Situation` out.

`Race.apply(event)` updates the state (roster, every rider's trajectory, group identities and
histories) and returns the new `Situation`. Time comes only from the events, so a replay at
any speed gives the same answers as the live stage.

Where the riders are and when they crossed the line is `race.tracking.field`; this module turns that
into groups, trends, catches and alerts, and hands the groups to the time limit and the
lead-out. A time trial is analysed by `race.timetrial.trial` instead: riders start one by one, so
groups and gaps on the road mean nothing there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, ValuesView
from math import isfinite
from statistics import median
from typing import Any, TypeVar

from race.alerts import AlertLog, Debounce, Hysteresis
from race.gaps.groups import GroupIdentity, name_finished, name_groups, split_by_gap
from race.gaps.trends import GapHistory, Trend, project_catch
from race.leadout.tracker import SPRINT_OVER_KM, LeadoutTracker
from race.models import (
    Bib,
    FeedEvent,
    FeedStatus,
    RaceNews,
    Stage,
    StartList,
    Telemetry,
)
from race.settings import EngineSettings
from race.situation import (
    Alert,
    Finale,
    GroupView,
    Notable,
    Roster,
    Situation,
    Train,
)
from race.timelimit.tracker import TimeLimitTracker
from race.timetrial.trial import TIME_TRIALS, Nameable, TimeTrial
from race.tracking.field import Field, Placed
from race.tracking.geometry import RouteLine
from race.wording import clock, signed_clock

GAP_ALERT_EVERY_KM = 15.0
"""At most one gap-motion alert per group over this much road."""
PRECISE_BEHIND_HEAD_KM = 3.0
"""Where the lead-out is watched, riders this close to the head are placed from their GPS fix
(see race.tracking.geometry)."""
PRECISE_RIDERS = 80
"""Of those, the first 80: the trains ride at the front; further back 10 m steps will do."""
BREAK_MIN_GAP_S = 30.0
"""A group ahead of the peloton by at least this much is a break worth announcing."""
GAP_ALERT_MIN_KM = 5.0
"""A gap is announced as opening or closing only on trends measured over this much road: over
the first kilometres of a trend a few seconds of noise read as minutes per 10 km."""
START_EXTRAPOLATE_MAX_KM = 10.0
"""A feed that begins after the real start is extrapolated back to km 0 over at most this
much road; further than that, the scheduled start (when the feed gives it) is used."""


V = TypeVar("V")


class Deferred(Mapping[Bib, V]):
    """A mapping made on first use: before the finale the lead-out tracker redraws only every
    so often, and reads its inputs only then."""

    def __init__(self, make: Callable[[], dict[Bib, V]]) -> None:
        self._make = make
        self._data: dict[Bib, V] | None = None

    def made(self) -> dict[Bib, V]:
        """The mapping itself (iterating a `Mapping` subclass goes through `__getitem__`)."""
        if self._data is None:
            self._data = self._make()
        return self._data

    def __getitem__(self, key: Bib) -> V:
        return self.made()[key]

    def __iter__(self) -> Iterator[Bib]:
        return iter(self.made())

    def __len__(self) -> int:
        return len(self.made())

    def values(self) -> ValuesView[V]:
        return self.made().values()


class Race:
    """State of one stage; `apply` each feed event in order."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self._start_list: StartList | None = None
        self._roster = Roster()
        self._field = Field(self.settings.gaps.hold_missing_s)
        self._ids = GroupIdentity()
        self._histories: dict[str, GapHistory] = {}
        self._members: dict[str, frozenset[Bib]] = {}
        self._peloton_id: str | None = None
        self._stage_in_force: tuple[Stage, Stage] | None = None
        self._head_members: frozenset[Bib] = frozenset()
        self._alerts = AlertLog()
        self._debounce = Debounce(frames=2)
        self._breaks: dict[str, frozenset[Bib]] = {}
        self._gap_motion: Hysteresis[str] = Hysteresis(frames=3)
        self._gap_alert_km: dict[str, float] = {}
        self._rider_group: dict[Bib, tuple[str, int]] = {}
        self._time_limit = TimeLimitTracker(self.settings)
        self._leadout = LeadoutTracker(self.settings)
        self._timetrial: TimeTrial | None = None
        self._feed: FeedStatus | None = None
        self._news: list[Alert] = []
        self._notable_reasons: dict[Bib, tuple[str, ...]] = {
            bib: ("marked",) for bib in self.settings.team.marked
        }
        self._notable_views: dict[tuple[Bib, tuple[str, ...]], Notable] = {}
        """The same few riders are notable in every frame: their views are made once."""
        self._route: RouteLine | None = None
        self._leadout_view: tuple[tuple[Train, ...], Finale] = ((), Finale())
        self._t: float | None = None
        self._alerts_t: float | None = None
        self._events = 0
        self._frames_dropped = 0
        self._situation = Situation()

    @property
    def situation(self) -> Situation:
        return self._situation

    # --- Events ------------------------------------------------------------------------------

    def apply(self, event: FeedEvent) -> Situation:
        """Apply one feed event and return the new situation."""
        self._events += 1
        alerts_before = len(self._alerts.alerts)
        if isinstance(event, Telemetry):
            if not isfinite(event.t) or (self._t is not None and event.t < self._t):
                # Out of order: the newer picture stands. (A frame at the same instant is
                # merged: some feeds split an instant into partial frames.)
                self._frames_dropped += 1
                self._situation = self._situation.model_copy(
                    update={"frames_dropped": self._frames_dropped, "events_applied": self._events}
                )
                return self._situation
            self._on_telemetry(event)
        elif isinstance(event, StartList):
            self._on_start_list(event)
        elif isinstance(event, FeedStatus):
            # The adapter's own state: nothing about the race changed. Rebuilding would count
            # as one more frame for the alert debouncers (a blackout's statuses would confirm
            # an alert that one frame raised), so only the feed part of the situation changes.
            self._feed = event
            self._situation = self._situation.model_copy(
                update={"feed": event, "events_applied": self._events, "new_alerts": 0}
            )
            return self._situation
        elif isinstance(event, RaceNews):
            self._on_news(event)
        self._situation = self._build(alerts_before)
        return self._situation

    def _on_start_list(self, event: StartList) -> None:
        self._start_list = event
        self._roster = Roster(
            teams={team.code: team for team in event.teams},
            riders={rider.bib: rider for rider in event.riders},
        )
        self._notable_reasons = self._standing_reasons()
        self._time_limit.set_stage(event.stage, self._roster)
        self._leadout.set_roster(self._roster)
        route = RouteLine(event.stage.profile, event.stage.distance_km)
        self._route = route if route.usable else None
        if event.stage.type in TIME_TRIALS:
            if self._timetrial is None:
                self._timetrial = TimeTrial(event.stage, self.settings)
            else:
                self._timetrial.set_stage(event.stage)
        else:
            self._timetrial = None

    def _standing_reasons(self) -> dict[Bib, tuple[str, ...]]:
        """Why each rider is notable whatever happens (jerseys change and are added per fix)."""
        marked = set(self.settings.team.marked)
        my_team = self.settings.team.code
        out: dict[Bib, tuple[str, ...]] = {}
        for bib, rider in self._roster.riders.items():
            reasons = []
            if my_team and rider.team == my_team:
                reasons.append("my team")
            if rider.role == "sprinter":
                reasons.append("sprinter")
            if bib in marked:
                reasons.append("marked")
            if reasons:
                out[bib] = tuple(reasons)
        for bib in marked - out.keys():
            out[bib] = ("marked",)
        return out

    def _on_news(self, event: RaceNews) -> None:
        """What the provider's race radio says, kept apart from Ardoise's own alerts."""
        level = "warning" if event.category in ("crash", "abandon") else "info"
        self._news.append(Alert(t=event.t, kind=event.category, text=event.text, level=level))

    def _on_telemetry(self, frame: Telemetry) -> None:
        self._t = frame.t
        if self._timetrial is not None:
            self._timetrial.update(frame, self._alerts, self._roster)
            return
        field = self._field
        had_winner = field.winner is not None
        field.update(frame)
        winner = field.winner
        if winner is not None and not had_winner:
            self._alerts.raise_once(
                winner.t,
                "finish",
                f"{self._names((winner.bib,))} wins the stage",
                "info",
                key="finish",
            )
        leader = field.leader
        if (
            winner is None
            and leader is not None
            and self._head_members
            and leader.bib not in self._head_members
        ):
            # A new head of the race (a break caught, a rider gone clear from behind): gaps
            # are now measured on his trajectory, and so must the gaps the trends are made of.
            for history in self._histories.values():
                history.rebase(self._gap_at)

    def _gap_at(self, t: float, km: float) -> float | None:
        passed = self._field.passage_time(km)
        if passed is None:
            return None
        return max(0.0, t - passed)

    # --- Situation ---------------------------------------------------------------------------

    def _in_force(self, stage: Stage | None) -> Stage | None:
        """The stage with the coefficient in force: the configuration's over the feed's."""
        if stage is None:
            return None
        if self._stage_in_force is None or self._stage_in_force[0] is not stage:
            coefficient = self.settings.stage.class_in_force
            in_force = (
                stage.model_copy(update={"coefficient": coefficient})
                if isinstance(coefficient, int)
                else stage
            )
            self._stage_in_force = (stage, in_force)
        return self._stage_in_force[1]

    def _build(self, alerts_before: int) -> Situation:
        stage = self._start_list.stage if self._start_list else None
        summary = self._in_force(stage)
        t = self._t
        if t is None:
            return Situation(**self._common(summary, stage, alerts_before))
        if self._timetrial is not None:
            return self._build_timetrial(t, summary, alerts_before)
        field = self._field
        finished, road = field.placed(t)
        placed = finished + road
        groups = self._groups(t, finished, road)
        if t != self._alerts_t:
            # Once per instant: a partial or repeated frame is not a new observation for
            # the debounced alerts.
            self._alerts_t = t
            self._group_alerts(t, groups)
        head_km = field.head.last_km
        start_t, start_basis = self._start_time(stage)
        race_time = (t - start_t) if start_t is not None and t >= start_t else None
        winner = field.winner
        if winner is not None and start_t is not None:
            winner_time: float | None = winner.t - start_t
        else:
            winner_time = None
        time_limit = self._time_limit.update(
            t=t,
            race_time_s=race_time,
            head_km=head_km,
            winner_time_s=winner_time,
            winner_t=winner.t if winner is not None else None,
            groups=groups,
            alerts=self._alerts,
            # The time limit measures groups on the head's whole road, which does not jump
            # when a break is caught (see race.timelimit._road_gaps).
            head_passage=field.head.passage_time,
        )
        if winner is None and (head_km is None or head_km > SPRINT_OVER_KM):
            # From the last man's release to the line, the last picture of the finale stands.
            # Before the lead-out is watched the tracker redraws its overview only every so
            # often: what it reads is made only if it reads it.
            positions = Deferred(lambda: self._positions(t, placed, head_km))
            speeds = Deferred(lambda: {bib: track.speed for _, _, bib, track in placed})
            watching = head_km is not None and head_km <= self._leadout.watch_km
            self._leadout_view = self._leadout.update(
                t=t,
                head_km=head_km,
                # When watched it reads them all, every frame: plain dictionaries then.
                positions=positions.made() if watching else positions,
                fresh={bib for _, _, bib, track in road if track.t == t} if watching else (),
                speeds=speeds.made() if watching else speeds,
                alerts=self._alerts,
            )
        trains, finale = self._leadout_view
        return Situation(
            t=t,
            race_time_s=race_time,
            start_t=start_t,
            start_basis=start_basis,
            head_km_to_finish=head_km,
            head_rider=field.leader.bib if field.leader is not None else None,
            head_speed_kmh=field.head.speed_kmh(),
            winner_finished=winner is not None,
            winner=winner.bib if winner is not None else None,
            winner_t=winner.t if winner is not None else None,
            winner_basis=winner.basis if winner is not None else "",
            riders_tracked=len(placed),
            groups=tuple(groups),
            time_limit=time_limit,
            leadout=trains,
            finale=finale,
            **self._common(summary, stage, alerts_before),
        )

    def _common(
        self, summary: Stage | None, stage: Stage | None, alerts_before: int
    ) -> dict[str, Any]:
        """What every situation carries, whatever the stage and the moment."""
        return {
            "stage": summary,
            "alerts": tuple(self._alerts.alerts),
            "new_alerts": len(self._alerts.alerts) - alerts_before,
            "news": tuple(self._news),
            "feed": self._feed,
            "events_applied": self._events,
            "frames_dropped": self._frames_dropped,
            "roster": self._roster,
        }

    def _build_timetrial(self, t: float, summary: Stage | None, alerts_before: int) -> Situation:
        """The situation of a time trial: riders against the clock, not groups on the road."""
        assert self._timetrial is not None
        stage = self._start_list.stage if self._start_list else None
        tt = self._timetrial
        groups = tt.groups(t, self._notables)
        time_limit = self._time_limit.update(
            t=t,
            race_time_s=tt.best_time_s if not tt.all_finished else None,
            # The best time so far is the forecast of the winner's time: passing it as the
            # time of a head of the race on the line makes the tracker use it as it stands.
            head_km=0.0 if tt.best_time_s is not None and not tt.all_finished else None,
            winner_time_s=tt.best_time_s if tt.all_finished else None,
            winner_t=None,
            groups=tt.limit_groups,
            alerts=self._alerts,
        )
        return Situation(
            t=t,
            race_time_s=tt.elapsed_since_first_start(t),
            start_t=tt.first_start_t,
            start_basis=tt.start_basis,
            head_km_to_finish=tt.front_km(),
            head_speed_kmh=None,
            winner_finished=tt.all_finished,
            winner=tt.best_bib if tt.all_finished else None,
            riders_tracked=tt.tracked(t),
            groups=tuple(groups),
            time_limit=time_limit,
            **self._common(summary, stage, alerts_before),
            time_trial=tt.summary(t),
        )

    def _positions(self, t: float, placed: list[Placed], head_km: float | None) -> dict[Bib, float]:
        """Km to go of the riders on the road; from where the lead-out is watched, the first
        `PRECISE_RIDERS` near the head from their GPS fix."""
        positions: dict[Bib, float] = {}
        route = self._route
        precise = route is not None and head_km is not None and head_km <= self._leadout.watch_km
        located_riders = 0
        for _, km, _, track in placed:  # finished riders, then the road front to back
            if track.finish_t is not None:
                continue
            if (
                precise
                and located_riders < PRECISE_RIDERS
                and route is not None
                and head_km is not None
                and track.t == t
                and track.lat is not None
                and track.lon is not None
                and km - head_km <= PRECISE_BEHIND_HEAD_KM
            ):
                located_riders += 1
                located = route.km_to_finish(track.lat, track.lon, km)
                if located is not None:
                    km = located
            positions[track.bib] = km
        return positions

    def _start_time(self, stage: Stage | None) -> tuple[float | None, str]:
        """The real start, when the head of the race passed km 0, and how it was found.

        Seen when the feed covers it (the end of the neutralised stretch, where every rider
        sits at the full distance); extrapolated at the head's first speed when the feed
        begins a little after it; the scheduled start when it begins far into the stage.
        """
        head = self._field.head
        if stage is None or head.first_km is None or head.last_km is None:
            return None, ""
        distance = stage.distance_km
        if head.last_km >= distance:
            return None, "neutralised start"
        first_km = head.first_km
        scheduled = stage.scheduled_start
        if first_km >= distance - 0.005:
            seen = head.departure_time(distance)
            return seen, "seen" if seen is not None else ""
        over = distance - first_km
        if over > START_EXTRAPOLATE_MAX_KM and scheduled is not None:
            return scheduled, f"scheduled (the feed begins {over:.0f} km in)"
        extrapolated = head.passage_time(distance)
        if extrapolated is None:
            if scheduled is not None:
                return scheduled, "scheduled"
            return None, ""
        basis = f"extrapolated over {over:.1f} km"
        if scheduled is not None:
            basis += f" ({signed_clock(extrapolated - scheduled)} on the scheduled start)"
        return extrapolated, basis

    def _groups(self, t: float, finished: list[Placed], road: list[Placed]) -> list[GroupView]:
        threshold = self.settings.stage.split_threshold_s
        placed = finished + road
        n_finished = len(finished)
        # A finished rider and one still on the road never share a group.
        runs = [range(r.start, r.stop) for r in split_by_gap([p[0] for p in finished], threshold)]
        runs_road = split_by_gap([p[0] for p in road], threshold)
        runs += [range(r.start + n_finished, r.stop + n_finished) for r in runs_road]
        chunks = [placed[run.start : run.stop] for run in runs]
        bibs = [tuple([p[2] for p in chunk]) for chunk in chunks]
        members = [frozenset(run_bibs) for run_bibs in bibs]
        ids = self._ids.assign(members)
        winner_alone = bool(runs) and n_finished > 0 and len(runs[0]) == 1
        road_ids = ids[len(runs) - len(runs_road) :]
        names = name_finished(len(runs) - len(runs_road), winner_alone) + name_groups(
            [len(run) for run in runs_road],
            head_finished=self._field.winner is not None,
            finished=n_finished,
            peloton_before=road_ids.index(self._peloton_id)
            if self._peloton_id in road_ids
            else None,
            gaps=[road[run.start][0] for run in runs_road],
        )
        self._peloton_id = next(
            (gid for gid, (kind, _) in zip(ids, names, strict=True) if kind == "peloton"), None
        )
        # A group new in this frame split from (or merged) groups of the last frame: its
        # gap history until now is theirs, so its trend goes on from the one it shares the
        # most riders with instead of starting again.
        previous_members = self._members
        self._members = dict(zip(ids, members, strict=True))
        for gid, group_riders in self._members.items():
            if gid in self._histories or not previous_members:
                continue
            parent = max(previous_members, key=lambda p: len(previous_members[p] & group_riders))
            parent_history = self._histories.get(parent)
            if parent_history is not None and previous_members[parent] & group_riders:
                self._histories[gid] = parent_history.copy()
        for gid in list(self._histories):
            if gid not in self._members:
                del self._histories[gid]
        views: list[GroupView] = []
        previous: GroupView | None = None
        previous_trend: Trend | None = None
        # Who may be named: a few riders among up to 180, looked for by set intersection.
        notable_bibs = self._notable_reasons.keys() | self._field.jersey_wearers
        for chunk, run_bibs, run_members, gid, (kind, name) in zip(
            chunks, bibs, members, ids, names, strict=True
        ):
            gap, km, _, first = chunk[0]
            finished_group = first.finish_t is not None
            trend = None
            if not finished_group:
                history = self._histories.get(gid)
                if history is None:
                    history = GapHistory(
                        self.settings.gaps.trend_window_km, self.settings.gaps.trend_min_km
                    )
                    self._histories[gid] = history
                history.add(t, km, gap)
                trend = history.trend()
            speeds = (
                [s for p in chunk if (s := p[3].speed) is not None] if not finished_group else []
            )
            catch = None
            if previous is not None and trend is not None and not previous.finished:
                ahead_rate = previous_trend.s_per_10km if previous_trend else 0.0
                over = min(trend.over_km, previous_trend.over_km if previous_trend else 1e9)
                catch = project_catch(gap - previous.gap_s, km, trend.s_per_10km - ahead_rate, over)
            view = GroupView(
                id=gid,
                name=name,
                kind=kind,
                riders=run_bibs,
                gap_s=round(gap, 1),
                gap_to_ahead_s=round(gap - previous.gap_s, 1) if previous else None,
                km_to_finish=round(km, 2),
                speed_kmh=round(median(speeds), 1) if speeds else None,
                trend_s_per_10km=round(trend.s_per_10km, 1) if trend else None,
                trend_s_per_min=round(trend.s_per_min, 2) if trend else None,
                trend_basis=trend.basis if trend else None,
                catch=catch,
                notable=self._group_notables(notable_bibs & run_members, run_bibs),
                finished=finished_group,
            )
            views.append(view)
            previous, previous_trend = view, trend
        road_views = [v for v in views if not v.finished]
        self._head_members = frozenset(road_views[0].riders) if road_views else frozenset()
        return views

    def _group_notables(self, found: set[Bib], bibs: tuple[Bib, ...]) -> tuple[Notable, ...]:
        """`_notables` of the riders `found` in a group, in its road order (`bibs`)."""
        if not found:
            return ()
        tracks = self._field.riders
        return self._notables([tracks[bib] for bib in sorted(found, key=bibs.index)])

    def _notables(self, riders: Iterable[Nameable]) -> tuple[Notable, ...]:
        """Riders worth naming: jersey wearers, my team, sprinters, marked riders."""
        out: list[Notable] = []
        reasons_of = self._notable_reasons
        for track in riders:
            base = reasons_of.get(track.bib)
            if track.jersey:
                reasons = (track.jersey, *base) if base else (track.jersey,)
            elif base:
                reasons = base
            else:
                continue
            key = (track.bib, reasons)
            notable = self._notable_views.get(key)
            if notable is None:
                notable = self._notable_views[key] = Notable(bib=track.bib, reasons=reasons)
            out.append(notable)
        return tuple(out)

    # --- Alerts ------------------------------------------------------------------------------

    def _group_alerts(self, t: float, groups: list[GroupView]) -> None:
        if self._field.winner is not None:
            return
        self._marked_alerts(t, groups)
        peloton = next((g for g in groups if g.kind == "peloton"), None)
        if peloton is None:
            return
        ahead = [g for g in groups if g.gap_s < peloton.gap_s]
        self._break_alerts(t, peloton, ahead)
        peloton_rate = self._settled_trend(peloton.id)
        if peloton_rate is None:
            return
        for group in ahead:
            # Groups behind the peloton are pieces of a strung-out bunch more often than not;
            # those that matter are the time limit's business.
            rate = self._settled_trend(group.id)
            if rate is not None:
                self._gap_rate_alert(t, group, peloton, peloton_rate - rate)

    def _settled_trend(self, gid: str) -> float | None:
        """A group's trend (s/10 km) once measured over `GAP_ALERT_MIN_KM` of road."""
        history = self._histories.get(gid)
        trend = history.trend() if history is not None else None
        if trend is None or trend.over_km < GAP_ALERT_MIN_KM:
            return None
        return trend.s_per_10km

    def _gap_rate_alert(self, t: float, group: GroupView, peloton: GroupView, rate: float) -> None:
        """Announce a gap between a group and the peloton that starts to open or close fast.

        The rate must pass the threshold to count as moving and fall under half of it to count
        as steady again (a band, so a rate hovering at the threshold is announced once), and a
        group's gap is announced at most once per `GAP_ALERT_EVERY_KM`.
        """
        limit = self.settings.gaps.gap_alert_s_per_10km
        previous = self._gap_motion.get(group.id)
        if previous is None:
            # A gap is steady until its trend says otherwise: one that closes from the first
            # settled trend on is announced too.
            previous = "steady"
            self._gap_motion.update(group.id, previous)
        if rate >= limit:
            raw = "opening"
        elif rate <= -limit:
            raw = "closing"
        elif abs(rate) < limit / 2:
            raw = "steady"
        else:
            raw = previous
        motion, changed_from = self._gap_motion.update(group.id, raw)
        if changed_from is None or motion == "steady":
            return
        last_km = self._gap_alert_km.get(group.id)
        if last_km is not None and last_km - group.km_to_finish < GAP_ALERT_EVERY_KM:
            return
        self._gap_alert_km[group.id] = group.km_to_finish
        rate_text = f"{rate:+.0f}".replace("-", "−")
        self._alerts.raise_(
            t,
            f"gap_{motion}",
            f"Gap {motion}: {group.name} {clock(peloton.gap_s - group.gap_s)} on the "
            f"peloton, {rate_text} s/10 km, {group.km_to_finish:.0f} km to go",
            key=f"gap_{motion}:{group.id}",
        )

    def _break_alerts(self, t: float, peloton: GroupView, ahead: list[GroupView]) -> None:
        """A break is announced once it holds a lead; it is caught when most of its riders
        are back in the peloton for two updates running."""
        for group in ahead:
            lead = peloton.gap_s - group.gap_s
            if self._debounce.update(("break", group.id), lead >= BREAK_MIN_GAP_S):
                self._alerts.raise_once(
                    t,
                    "break_formed",
                    f"Break: {self._names(group.riders)} at +{clock(lead)} on the peloton, "
                    f"{group.km_to_finish:.1f} km to go",
                    key=f"break_formed:{group.id}",
                )
                self._breaks[group.id] = frozenset(group.riders)
        in_peloton = set(peloton.riders)
        away = {g.id for g in ahead}
        for gid, riders in list(self._breaks.items()):
            back = len(riders & in_peloton) * 2 > len(riders)
            if self._debounce.update(("caught", gid), gid not in away and back):
                self._alerts.raise_(
                    t,
                    "break_caught",
                    f"{self._names(sorted(riders))} caught at {peloton.km_to_finish:.1f} km to go",
                    "warning",
                    key=f"break_caught:{gid}",
                )
                del self._breaks[gid]
            elif gid not in away and not back and not riders & {b for g in ahead for b in g.riders}:
                del self._breaks[gid]  # Its riders fell behind the peloton: nothing to announce.

    def _marked_alerts(self, t: float, groups: list[GroupView]) -> None:
        marked = set(self.settings.team.marked)
        if not marked:
            return
        position = {bib: (g, i) for i, g in enumerate(groups) for bib in g.riders if bib in marked}
        for bib, (group, index) in position.items():
            before = self._rider_group.get(bib)
            dropped = before is not None and index > before[1] and group.id != before[0]
            if self._debounce.update(("dropped", bib), dropped) and before is not None:
                ahead = next((g for g in groups if g.id == before[0]), None)
                if ahead is not None and bib not in ahead.riders:
                    self._alerts.raise_(
                        t,
                        "rider_dropped",
                        f"{self._names((bib,))} dropped from the {ahead.name.lower()}, "
                        f"{clock(group.gap_s - ahead.gap_s)} behind",
                        "warning",
                        key=f"rider_dropped:{bib}",
                    )
            if not dropped:
                self._rider_group[bib] = (group.id, index)

    def _names(self, bibs: Iterable[Bib]) -> str:
        return self._roster.names(bibs)
