"""The groups on the road, frame by frame: split by gaps, given their ids and names, measured
(gap, speed, trend) and where a chasing group catches the one ahead.

A group's gap is the passage-time gap of its first rider (`race.tracking`); its trend is the
slope of its gap over the road (`race.gaps.trends`). A group keeps its id, and its trend goes
on, across the splits and merges `race.gaps.lineage` traces.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from operator import attrgetter, is_not, itemgetter
from statistics import median

from race.frame import Frame
from race.gaps.alerts import GapAlerts
from race.gaps.groups import (
    HEAD_NOW_S,
    GroupNames,
    climbing,
    name_finished,
    road_roles,
    split_by_gap,
)
from race.gaps.lineage import GroupLineage, Lineage
from race.gaps.notables import Notables
from race.gaps.trends import GapHistory, Trend, project_catch
from race.marks import Marks
from race.models import Bib, Stage
from race.settings import EngineSettings
from race.situation import GroupView, Roster
from race.tracking.field import Field
from race.tracking.tracks import Placed, RiderTrack

_GAP = itemgetter(0)
_KM = itemgetter(1)
_BIB = itemgetter(2)
_TRACK = itemgetter(3)
_SPEED = attrgetter("speed")
_LAST_FIX_T = attrgetter("t")
_KNOWN = partial(is_not, None)
"""The gap, the bib and the track of a `Placed` rider, a track's speed, and a value given:
read in C, once per rider per frame."""

GAP_ALERT_MIN_KM = 5.0
"""A gap is announced as opening or closing only on trends measured over this much road: over
the first kilometres of a trend a few seconds of noise read as minutes per 10 km."""


class GapsTracker:
    """Groups, their gaps and trends; `update` once per update of the engine."""

    def __init__(self, settings: EngineSettings, marks: Marks | None = None) -> None:
        self.settings = settings
        marks = marks if marks is not None else Marks(settings.team.marked)
        self.notables = Notables(settings.team, marks)
        self._lineage = GroupLineage()
        self._names = GroupNames()
        self._alerts = GapAlerts(settings, marks)
        self._histories: dict[str, GapHistory] = {}
        self._peloton_id: str | None = None
        self._head_members: frozenset[Bib] = frozenset()
        self._alerts_t: float | None = None

    def set_roster(self, roster: Roster) -> None:
        self.notables.set_roster(roster)

    def with_notables(self, groups: Sequence[GroupView], field: Field) -> tuple[GroupView, ...]:
        """`groups` with their notable riders named again: the marks changed between frames."""
        notables = self.notables
        candidates = notables.candidates(field.jersey_wearers)
        known = field.riders
        return tuple(
            group.model_copy(
                update={
                    "notable": notables.in_group(
                        {b for b in candidates & set(group.riders) if b in known},
                        group.riders,
                        known,
                    )
                }
            )
            for group in groups
        )

    def after_fixes(self, field: Field) -> None:
        """A new head of the race (a break caught, a rider gone clear from behind): gaps are
        now measured on his trajectory, and so must the gaps the trends are made of. A trend
        needs its road: only the road the new head was seen riding counts, not a stretch
        extrapolated back from his first fix (a few seconds wrong there read as a trend)."""
        leader = field.leader
        if (
            field.winner is None
            and leader is not None
            and self._head_members
            and leader.bib not in self._head_members
        ):
            reference = field.reference
            seen_from = reference.first_km if reference is not None else None

            def gap_at(t: float, km: float) -> float | None:
                if seen_from is not None and km > seen_from:
                    return None
                passed = field.passage_time(km)
                return None if passed is None else max(0.0, t - passed)

            for history in self._histories.values():
                history.rebase(gap_at)

    def settled_trend(self, gid: str) -> float | None:
        """A group's trend (s/10 km) once measured over `GAP_ALERT_MIN_KM` of road."""
        history = self._histories.get(gid)
        trend = history.trend() if history is not None else None
        if trend is None or trend.over_km < GAP_ALERT_MIN_KM:
            return None
        return trend.s_per_10km

    def update(self, frame: Frame, field: Field) -> tuple[list[GroupView], Lineage]:
        """The groups of this update, front to back, and where each comes from; the gap alerts
        are raised once per instant (a partial or repeated frame is not a new observation)."""
        groups, lineage = self._groups(frame.t, frame.stage, frame.finished, frame.road, field)
        if frame.t != self._alerts_t:
            self._alerts_t = frame.t
            self._alerts.update(
                frame.t, groups, field, frame.roster, frame.alerts, self.settled_trend
            )
        return groups, lineage

    def _groups(
        self,
        t: float,
        stage: Stage | None,
        finished: list[Placed],
        road: list[Placed],
        field: Field,
    ) -> tuple[list[GroupView], Lineage]:
        threshold = self.settings.stage.split_threshold_s
        placed = finished + road
        n_finished = len(finished)
        # A finished rider and one still on the road never share a group.
        # Once per rider per frame: the columns are taken in C.
        runs = [range(r.start, r.stop) for r in split_by_gap(list(map(_GAP, finished)), threshold)]
        step_km = field.grain.coarse_km
        kms = list(map(_KM, road)) if step_km is not None else []
        runs_road = split_by_gap(list(map(_GAP, road)), threshold, kms, step_km)
        runs += [range(r.start + n_finished, r.stop + n_finished) for r in runs_road]
        chunks = [placed[run.start : run.stop] for run in runs]
        bibs = [tuple(map(_BIB, chunk)) for chunk in chunks]
        members = [frozenset(run_bibs) for run_bibs in bibs]
        ids, lineage = self._lineage.update(members)
        winner_alone = bool(runs) and n_finished > 0 and len(runs[0]) == 1
        n_finished_groups = len(runs) - len(runs_road)
        road_ids = ids[n_finished_groups:]
        road_members = members[n_finished_groups:]
        leader = _leader(field)
        head_finished = field.winner is not None
        roles = road_roles(
            [len(run) for run in runs_road],
            [road[run.start][0] for run in runs_road],
            climbs=climbing(stage),
            finished=n_finished,
            head_finished=head_finished,
            peloton_before=road_ids.index(self._peloton_id)
            if self._peloton_id in road_ids
            else None,
            leader=next((i for i, m in enumerate(road_members) if leader in m), None),
        )
        road_names = self._names.name(road_ids, roles, head_finished=head_finished)
        names = name_finished(n_finished_groups, winner_alone) + list(
            zip(roles.kinds, road_names, strict=True)
        )
        self._peloton_id = next(
            (gid for gid, (kind, _) in zip(ids, names, strict=True) if kind == "peloton"), None
        )
        self._inherit_histories(ids, lineage)
        views: list[GroupView] = []
        previous: GroupView | None = None
        previous_trend: Trend | None = None
        notables = self.notables
        candidates = notables.candidates(field.jersey_wearers)
        # The head of the race is the reference of every gap: its own is 0 by definition and
        # has no trend (after a catch its history would read the break's lead melting away).
        head_id = road_ids[0] if road_ids and not head_finished else None
        held = _held_by_group(field.held, bibs, members)
        for chunk, run_bibs, run_members, gid, (kind, name) in zip(
            chunks, bibs, members, ids, names, strict=True
        ):
            gap, km, _, first = chunk[0]
            finished_group = first.finish_t is not None
            trend = None
            if not finished_group:
                history = self._histories.get(gid)
                if history is None:
                    gaps = self.settings.gaps
                    history = GapHistory(gaps.trend_window_km, gaps.trend_min_km)
                    self._histories[gid] = history
                history.add(t, km, gap)
                trend = history.trend() if gid != head_id else None
            speeds = (
                list(filter(_KNOWN, map(_SPEED, map(_TRACK, chunk)))) if not finished_group else []
            )
            if not speeds and not finished_group:
                # No speed from the feed (none, or none to be used: `race.tracking.speeds`):
                # the riders' own road over the last seconds says it.
                speeds = [
                    k for _, _, _, r in chunk if (k := r.path.speed_kmh(HEAD_NOW_S)) is not None
                ]
            # None of its riders in this frame: the group is where their gaps put them.
            seen_t = None if finished_group else max(map(_LAST_FIX_T, map(_TRACK, chunk)))
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
                gap_to_ahead_s=_gap_to_ahead(gap, previous),
                km_to_finish=round(km, 2),
                speed_kmh=round(median(speeds), 1) if speeds else None,
                trend_s_per_10km=round(trend.s_per_10km, 1) if trend else None,
                trend_s_per_min=round(trend.s_per_min, 2) if trend else None,
                trend_basis=trend.basis if trend else None,
                catch=catch,
                notable=notables.in_group(candidates & run_members, run_bibs, field.riders),
                finished=finished_group,
                unseen_since_t=seen_t if seen_t is not None and seen_t < t else None,
                held=held.get(run_bibs, ()),
            )
            views.append(view)
            previous, previous_trend = view, trend
        # The first group on the road: its riders' set is the lineage's, not made again.
        self._head_members = road_members[0] if road_members else frozenset()
        return views, lineage

    def _inherit_histories(self, ids: list[str], lineage: Lineage) -> None:
        """A group new in this frame split from (or merged) groups of the last frame: its gap
        history until now is theirs, so its trend goes on from the one it shares the most
        riders with instead of starting again. Histories of groups gone are dropped."""
        if lineage.previous:
            for gid in ids:
                if gid in self._histories:
                    continue
                parent = lineage.parent(gid)
                parent_history = self._histories.get(parent) if parent is not None else None
                if parent_history is not None:
                    self._histories[gid] = parent_history.copy()
        for gid in list(self._histories):
            if gid not in lineage.members:
                del self._histories[gid]


def _leader(field: Field) -> Bib | None:
    """The race leader: the rider seen in the leader's (yellow) jersey."""
    return next(
        (b for b in field.jersey_wearers if (r := field.riders.get(b)) and r.jersey == "yellow"),
        None,
    )


def _gap_to_ahead(gap: float, previous: GroupView | None) -> float | None:
    """The group's gap to the one before it; None for the first, and when the order of the
    two cannot be right (a rider still on the road timed ahead of one who has finished: the
    feed lost the leader over the line), rather than a negative gap."""
    if previous is None or gap < previous.gap_s:
        return None
    return round(gap - previous.gap_s, 1)


def _held_by_group(
    held: Sequence[RiderTrack], groups: Sequence[tuple[Bib, ...]], members: Sequence[frozenset[Bib]]
) -> dict[tuple[Bib, ...], tuple[tuple[Bib, float], ...]]:
    """The riders held this frame (`Field.held`, few), with their last fix, by the group they
    are placed in (its bibs in road order), in road order."""
    out: dict[tuple[Bib, ...], dict[Bib, float]] = {}
    for track in held:
        i = next((i for i, m in enumerate(members) if track.bib in m), None)
        if i is not None:
            out.setdefault(groups[i], {})[track.bib] = track.t
    return {
        group: tuple((bib, last[bib]) for bib in group if bib in last)
        for group, last in out.items()
    }
