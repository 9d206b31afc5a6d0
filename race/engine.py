"""The `Race` engine: feed events in, an immutable `Situation` out.

`Race.apply(event)` updates the state (roster, the head's trajectory, each rider's last fix,
group identities and histories) and returns the new `Situation`. Time comes only from the
events, so a replay at any speed gives the same answers as the live stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

from race.alerts import AlertLog, Debounce, Hysteresis
from race.gaps import HeadTrack
from race.geo import RouteLine
from race.groups import GroupIdentity, name_groups, split_by_gap
from race.leadout import SPRINT_OVER_KM, LeadoutTracker
from race.models import (
    Bib,
    FeedEvent,
    FeedStatus,
    Jersey,
    RaceNews,
    ReportedGroups,
    RiderFix,
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
    StageSummary,
    Train,
)
from race.text import clock
from race.timelimit import TimeLimitTracker
from race.trends import GapHistory, project_catch

FINISH_KM = 0.005
"""A rider this close to the line (km) has finished (the feed reports positions in 10 m steps)."""
LOST_NEAR_LINE_KM = 1.0
"""A rider who stops being tracked this close to the line after the winner has finished is
taken to have finished at the time his last speed gives."""
GAP_ALERT_EVERY_KM = 15.0
"""At most one gap-motion alert per group over this much road."""
PRECISE_BEHIND_HEAD_KM = 3.0
"""In the finale, riders this close to the head are placed from their GPS fix (see race.geo)."""
PRECISE_RIDERS = 80
"""Of those, the first 80: the trains ride at the front; further back 10 m steps will do."""
BREAK_MIN_GAP_S = 30.0
"""A group ahead of the peloton by at least this much is a break worth announcing."""


@dataclass(slots=True)
class RiderTrack:
    """What the engine knows of one rider."""

    bib: Bib
    t: float
    """Feed time of the last fix."""
    km: float
    speed: float | None = None
    gap: float | None = None
    lat: float | None = None
    lon: float | None = None
    jersey: Jersey | None = None
    finish_t: float | None = None


class Race:
    """State of one stage; `apply` each feed event in order."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self._start_list: StartList | None = None
        self._roster = Roster()
        self._head = HeadTrack()
        self._riders: dict[Bib, RiderTrack] = {}
        self._ids = GroupIdentity()
        self._histories: dict[str, GapHistory] = {}
        self._alerts = AlertLog()
        self._debounce = Debounce(frames=2)
        self._breaks: dict[str, frozenset[Bib]] = {}
        self._gap_motion: Hysteresis[str] = Hysteresis(frames=3)
        self._gap_alert_km: dict[str, float] = {}
        self._rider_group: dict[Bib, tuple[str, int]] = {}
        self._time_limit = TimeLimitTracker(self.settings)
        self._leadout = LeadoutTracker(self.settings)
        self._feed: FeedStatus | None = None
        self._news: list[Alert] = []
        self._notable_reasons: dict[Bib, tuple[str, ...]] = {
            bib: ("marked",) for bib in self.settings.marked
        }
        self._route: RouteLine | None = None
        self._leadout_view: tuple[tuple[Train, ...], Finale] = ((), Finale())
        self._winner_t: float | None = None
        self._t: float | None = None
        self._events = 0
        self._frames_dropped = 0
        self._situation = Situation(stage=StageSummary(name="", distance_km=0.0, coefficient=None))

    @property
    def situation(self) -> Situation:
        return self._situation

    # --- Events ------------------------------------------------------------------------------

    def apply(self, event: FeedEvent) -> Situation:
        """Apply one feed event and return the new situation."""
        self._events += 1
        alerts_before = len(self._alerts.alerts)
        if isinstance(event, Telemetry):
            if self._t is not None and event.t < self._t:
                # Out of order: the newer picture stands. (A frame at the same instant is
                # merged: some feeds split an instant into partial frames.)
                self._frames_dropped += 1
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
        elif isinstance(event, ReportedGroups):
            pass  # Telemetry-based groups are authoritative; reported groups are not yet shown.
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

    def _standing_reasons(self) -> dict[Bib, tuple[str, ...]]:
        """Why each rider is notable whatever happens (jerseys change and are added per fix)."""
        marked = set(self.settings.marked)
        my_team = self.settings.my_team
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
        t = frame.t
        previous_t = self._t
        self._t = t
        fresh: list[RiderTrack] = []
        for fix in frame.riders:
            track = self._update_rider(fix, t)
            if track is not None:
                fresh.append(track)
        on_road = [r for r in fresh if r.finish_t is None]
        if on_road:
            self._head.add(t, min(r.km for r in on_road))
        self._detect_winner(t, previous_t)
        self._finish_lost_riders(t)

    def _update_rider(self, fix: RiderFix, t: float) -> RiderTrack | None:
        if fix.km_to_finish is None:
            return None
        track = self._riders.get(fix.bib)
        km = max(0.0, fix.km_to_finish)
        if track is None:
            track = RiderTrack(bib=fix.bib, t=t, km=km)
            self._riders[fix.bib] = track
        elif track.finish_t is not None:
            track.t = t
            return track
        if (fix.finished or km <= FINISH_KM) and track.finish_t is None:
            track.finish_t = self._arrival_time(track, t)
        track.t = t
        track.km = km
        track.speed = fix.speed_kmh
        track.lat, track.lon = fix.lat, fix.lon
        if fix.jersey:
            track.jersey = fix.jersey
        return track

    @staticmethod
    def _arrival_time(track: RiderTrack, t: float) -> float:
        """When a rider seen at the line at `t` crossed it, from his previous fix."""
        if track.km > FINISH_KM and track.speed and track.speed > 5 and track.t < t:
            return min(t, track.t + track.km / track.speed * 3600.0)
        return t

    def _detect_winner(self, t: float, previous_t: float | None) -> None:
        if self._winner_t is not None:
            return
        finished = [r.finish_t for r in self._riders.values() if r.finish_t is not None]
        if finished:
            self._winner_t = min(finished)
            self._head.add(self._winner_t, 0.0)
            self._alerts.raise_once(
                self._winner_t,
                "finish",
                f"{self._names(self._winners())} wins the stage",
                "info",
                key="finish",
            )

    def _winners(self) -> list[Bib]:
        return [r.bib for r in self._riders.values() if r.finish_t == self._winner_t]

    def _finish_lost_riders(self, t: float) -> None:
        """Riders who vanish near the line after the winner has finished have finished too."""
        if self._winner_t is None:
            return
        for track in self._riders.values():
            if track.finish_t is None and track.t < t and track.km <= LOST_NEAR_LINE_KM:
                arrival = self._arrival_time(track, t + 3600.0)
                if arrival <= t:
                    track.finish_t = arrival

    # --- Situation ---------------------------------------------------------------------------

    def _tracked(self, t: float) -> list[tuple[RiderTrack, float, float]]:
        """(rider, km, gap) of every tracked rider, front to back."""
        out: list[tuple[RiderTrack, float, float]] = []
        hold = self.settings.hold_missing_s
        winner_t = self._winner_t
        for track in self._riders.values():
            if track.finish_t is not None:
                ref = winner_t if winner_t is not None else track.finish_t
                out.append((track, 0.0, track.finish_t - ref))
                continue
            if track.t < t - hold:
                continue
            km = track.km
            if track.t < t and track.gap is not None:
                # Missing from this frame: assume he kept his gap.
                held = self._head.km_at(t - track.gap)
                if held is not None:
                    km = max(held, 0.0)
            gap = self._head.gap(t, km)
            if gap is None:
                gap = 0.0
            if track.t == t:
                track.gap = gap
            out.append((track, km, gap))
        out.sort(key=lambda item: (item[0].finish_t is None, item[2], item[1], item[0].bib))
        return out

    def _build(self, alerts_before: int) -> Situation:
        stage = self._start_list.stage if self._start_list else None
        summary = (
            StageSummary(
                name=stage.name,
                distance_km=stage.distance_km,
                coefficient=self.settings.coefficient
                if isinstance(self.settings.coefficient, int)
                else stage.coefficient,
                race=stage.race,
                year=stage.year,
                type=stage.type,
            )
            if stage
            else StageSummary(name="", distance_km=0.0, coefficient=None)
        )
        t = self._t
        if t is None:
            return Situation(
                stage=summary,
                feed=self._feed,
                alerts=tuple(self._alerts.alerts),
                new_alerts=len(self._alerts.alerts) - alerts_before,
                news=tuple(self._news),
                events_applied=self._events,
                stage_info=stage,
                roster=self._roster,
            )
        tracked = self._tracked(t)
        groups = self._groups(t, tracked)
        self._group_alerts(t, groups)
        head_km = self._head.last_km
        start_t = self._start_time(stage.distance_km if stage else None)
        race_time = (t - start_t) if start_t is not None and t >= start_t else None
        if self._winner_t is not None and start_t is not None:
            winner_time: float | None = self._winner_t - start_t
        else:
            winner_time = None
        time_limit = self._time_limit.update(
            t=t,
            race_time_s=race_time,
            head_km=head_km,
            winner_time_s=winner_time,
            winner_t=self._winner_t,
            groups=groups,
            alerts=self._alerts,
        )
        if self._winner_t is None and (head_km is None or head_km > SPRINT_OVER_KM):
            # From the last man's release to the line, the last picture of the finale stands.
            positions = self._positions(t, tracked, head_km)
            self._leadout_view = self._leadout.update(
                t=t,
                head_km=head_km,
                positions=positions,
                fresh={r.bib for r, _, _ in tracked if r.t == t},
                speeds={r.bib: r.speed for r, _, _ in tracked},
                alerts=self._alerts,
            )
        trains, finale = self._leadout_view
        return Situation(
            t=t,
            stage=summary,
            race_time_s=race_time,
            head_km_to_finish=head_km,
            head_speed_kmh=self._head.speed_kmh(),
            winner_finished=self._winner_t is not None,
            riders_tracked=len(tracked),
            groups=tuple(groups),
            time_limit=time_limit,
            leadout=trains,
            finale=finale,
            alerts=tuple(self._alerts.alerts),
            new_alerts=len(self._alerts.alerts) - alerts_before,
            news=tuple(self._news),
            feed=self._feed,
            events_applied=self._events,
            frames_dropped=self._frames_dropped,
            stage_info=stage,
            roster=self._roster,
        )

    def _positions(
        self, t: float, tracked: list[tuple[RiderTrack, float, float]], head_km: float | None
    ) -> dict[Bib, float]:
        """Km to go of the riders on the road; from where the lead-out is watched, the first
        `PRECISE_RIDERS` near the head from their GPS fix."""
        positions: dict[Bib, float] = {}
        route = self._route
        precise = route is not None and head_km is not None and head_km <= self._leadout.watch_km
        placed = 0
        for track, km, _ in tracked:  # front to back
            if track.finish_t is not None:
                continue
            if (
                precise
                and placed < PRECISE_RIDERS
                and route is not None
                and head_km is not None
                and track.t == t
                and track.lat is not None
                and track.lon is not None
                and km - head_km <= PRECISE_BEHIND_HEAD_KM
            ):
                placed += 1
                located = route.km_to_finish(track.lat, track.lon, km)
                if located is not None:
                    km = located
            positions[track.bib] = km
        return positions

    def _start_time(self, distance_km: float | None) -> float | None:
        """The real start: when the head of the race passed km 0."""
        if distance_km is None or self._head.last_km is None:
            return None
        if self._head.last_km >= distance_km:
            return None
        return self._head.passage_time(distance_km)

    def _groups(self, t: float, tracked: list[tuple[RiderTrack, float, float]]) -> list[GroupView]:
        gaps = [gap for _, _, gap in tracked]
        runs = split_by_gap(gaps, self.settings.split_threshold_s)
        # A finished rider and one still on the road never share a group.
        split_runs: list[range] = []
        for run in runs:
            cut = next(
                (
                    i
                    for i in run
                    if i > run.start
                    and tracked[i][0].finish_t is None
                    and tracked[i - 1][0].finish_t is not None
                ),
                None,
            )
            if cut is None:
                split_runs.append(run)
            else:
                split_runs.extend((range(run.start, cut), range(cut, run.stop)))
        members = [frozenset(tracked[i][0].bib for i in run) for run in split_runs]
        ids = self._ids.assign(members)
        names = name_groups([len(run) for run in split_runs])
        views: list[GroupView] = []
        previous: GroupView | None = None
        live_ids = set(ids)
        for gid in list(self._histories):
            if gid not in live_ids:
                del self._histories[gid]
        for run, gid, (kind, name) in zip(split_runs, ids, names, strict=True):
            first, km, gap = tracked[run.start]
            finished = first.finish_t is not None
            history = self._histories.get(gid)
            if history is None:
                history = GapHistory(self.settings.trend_window_km, self.settings.trend_min_km)
                self._histories[gid] = history
            if not finished:
                history.add(t, km, gap)
            trend = None if finished else history.trend()
            speeds = [s for i in run if (s := tracked[i][0].speed) is not None]
            view = GroupView(
                id=gid,
                name=name,
                kind=kind,
                riders=tuple(tracked[i][0].bib for i in run),
                gap_s=round(gap, 1),
                gap_to_ahead_s=round(gap - previous.gap_s, 1) if previous else None,
                km_to_finish=round(km, 2),
                speed_kmh=round(median(speeds), 1) if speeds and not finished else None,
                trend_s_per_10km=round(trend.s_per_10km, 1) if trend else None,
                trend_s_per_min=round(trend.s_per_min, 2) if trend else None,
                trend_basis=trend.basis if trend else None,
                notable=self._notables(tracked[i][0] for i in run),
                finished=finished,
            )
            if previous is not None and trend is not None and not previous.finished:
                ahead_history = self._histories.get(previous.id)
                ahead_trend = ahead_history.trend() if ahead_history else None
                ahead_rate = ahead_trend.s_per_10km if ahead_trend else 0.0
                over = min(trend.over_km, ahead_trend.over_km if ahead_trend else trend.over_km)
                catch = project_catch(
                    gap - previous.gap_s, previous.km_to_finish, trend.s_per_10km - ahead_rate, over
                )
                if catch is not None:
                    view = view.model_copy(update={"catch": catch})
            views.append(view)
            previous = view
        return views

    def _notables(self, riders: Iterable[RiderTrack]) -> tuple[Notable, ...]:
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
            out.append(Notable(bib=track.bib, reasons=reasons))
        return tuple(out)

    # --- Alerts ------------------------------------------------------------------------------

    def _group_alerts(self, t: float, groups: list[GroupView]) -> None:
        peloton = next((g for g in groups if g.kind == "peloton"), None)
        if peloton is None or self._winner_t is not None:
            return
        ahead = [g for g in groups if g.gap_s < peloton.gap_s]
        self._break_alerts(t, peloton, ahead)
        if peloton.trend_s_per_10km is not None:
            for group in ahead:
                if group.trend_s_per_10km is not None:
                    rate = peloton.trend_s_per_10km - group.trend_s_per_10km
                    self._gap_rate_alert(t, group, peloton, rate)
        self._marked_alerts(t, groups)

    def _gap_rate_alert(self, t: float, group: GroupView, peloton: GroupView, rate: float) -> None:
        """Announce a gap between a group and the peloton that starts to open or close fast.

        The rate must pass the threshold to count as moving and fall under half of it to count
        as steady again (a band, so a rate hovering at the threshold is announced once), and a
        group's gap is announced at most once per `GAP_ALERT_EVERY_KM`.
        """
        limit = self.settings.gap_alert_s_per_10km
        previous = self._gap_motion.get(group.id) or "steady"
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
        self._alerts.raise_(
            t,
            f"gap_{motion}",
            f"Gap {motion}: {group.name} {clock(peloton.gap_s - group.gap_s)} on the peloton, "
            f"{rate:+.0f} s/10 km",
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
        marked = set(self.settings.marked)
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
        return ", ".join(self._roster.name(b) for b in bibs)
