"""Each rider's status against the cut: the worst of the groups he rode in over the last
`RIDER_MEMORY_KM` of his road, kept when the feed loses him, final once he has finished."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from race.models import Bib
from race.situation import GroupView, LimitGroup, LimitRider, LimitStatus
from race.timelimit.status import SEVERITY, STATUSES

RIDER_MEMORY_KM = 3.0
"""A rider carries the worst status of the groups he was in over this much of his own road.

Counted on the road, not in time: what shows that a rider is really in a group is that he
rides with it, and the road he covers with it says so at any speed, while a time would be half
a km on a steep climb (where riders hang on and let go) and three on the flat. A rider who
stops (a puncture, a crash) keeps his status however long he waits. Riders go in and out of
the back of a bunch, and of the groups it sheds, every few hundred metres (on the real stage
5 recording, within 1 km), and a margin drifts back and forth across a threshold: a rider is
told the news is good once it has held over this much road. Bad news is his at once."""


@dataclass(slots=True)
class _Rider:
    """What is kept about one rider over a stage."""

    last_km: list[float | None] = field(default_factory=lambda: [None] * len(STATUSES))
    """For each status (by severity): his km to go when he was last in a group with it."""
    worst_kept: int = 0
    """The most severe status `last_km` holds a km for (0 when none): a rider with nothing
    worse than his group's status carries his group's, without reading the rest."""
    status: LimitStatus = "safe"
    group_id: str | None = None
    margin_s: float | None = None
    seen_t: float = 0.0
    """His last fix while he was placed (the update's time when the feed gives no fixes), set
    when he is lost."""
    finished: bool = False


class RiderStatuses:
    """Every rider's status over one stage: `update` once per situation."""

    def __init__(self) -> None:
        self._riders: dict[Bib, _Rider] = {}
        self._missing: list[Bib] = []
        """Riders no longer placed, in the order they were lost."""
        self._fixes: tuple[dict[Bib, float], float] = ({}, 0.0)
        """The last update's `fixes` and time: when a rider is lost, where he was last seen."""

    def status(self, bib: Bib) -> LimitStatus | None:
        rider = self._riders.get(bib)
        return rider.status if rider is not None else None

    def update(
        self,
        groups: Sequence[GroupView],
        limits: Sequence[LimitGroup],
        t: float,
        fixes: dict[Bib, float],
        at_head: Iterable[Bib] = (),
    ) -> None:
        """One update: `groups` are the groups behind the head with their time-limit rows
        (`limits`), `fixes` the time of each placed rider's last fix. Riders at the head are
        the reference of every gap: they have no status."""
        riders = self._riders
        for bib in at_head:
            riders.pop(bib, None)
        placed: set[Bib] = set()
        for group, limit in zip(groups, limits, strict=True):
            members = group.riders
            placed.update(members)
            gid, margin, status = group.id, limit.margin_s, limit.status
            if group.finished:
                # The line decides: what he rode in before no longer counts.
                for bib in members:
                    rider = riders.get(bib)
                    if rider is None:
                        rider = riders[bib] = _Rider()
                    rider.group_id, rider.margin_s = gid, margin
                    rider.finished, rider.status = True, status
                continue
            severity = SEVERITY[status]
            km = group.km_to_finish
            for bib in members:
                rider = riders.get(bib)
                if rider is None:
                    rider = riders[bib] = _Rider()
                rider.group_id, rider.margin_s = gid, margin
                if rider.worst_kept <= severity:  # Nothing worse to carry: the usual case.
                    rider.last_km[severity] = km
                    rider.worst_kept = severity
                    rider.status = status
                else:
                    rider.status = _carried(rider.last_km, severity, km)
                    rider.worst_kept = max(i for i, k in enumerate(rider.last_km) if k is not None)
        # Still missing: not back in a group, nor at the head.
        missing = [b for b in self._missing if b not in placed and b in riders]
        if len(riders) > len(placed):
            # Lost in this update: placed at the last one, and not finished. Found among the
            # riders not placed (a set difference), and taken in the order they were first seen.
            lost = {
                bib
                for bib in riders.keys() - placed
                if (rider := riders[bib]).group_id is not None and not rider.finished
            }
            if lost:
                last_fixes, last_t = self._fixes
                for bib in [b for b in riders if b in lost]:
                    rider = riders[bib]
                    rider.group_id, rider.margin_s = None, None
                    rider.seen_t = last_fixes.get(bib, last_t)
                    missing.append(bib)
        self._missing = missing
        # Where each rider was last seen matters only once he is lost: kept until then.
        self._fixes = (fixes, t)

    def status_of(self) -> Mapping[Bib, _Rider]:
        """Every rider's state, by bib."""
        return self._riders

    def views(self, groups: Sequence[GroupView], watched: Collection[Bib]) -> list[LimitRider]:
        """The riders that matter: not safe, missing or watched; in road order (`groups`, the
        groups behind the head), then the missing ones in the order they were lost."""
        out: list[LimitRider] = []
        riders = self._riders
        for group in groups:
            for bib in group.riders:
                rider = riders.get(bib)
                if rider is not None and (rider.status != "safe" or bib in watched):
                    out.append(self._view(bib, rider, bib in watched))
        out.extend(self._view(bib, riders[bib], bib in watched) for bib in self._missing)
        return out

    @staticmethod
    def _view(bib: Bib, rider: _Rider, watched: bool) -> LimitRider:
        missing = rider.group_id is None and not rider.finished
        return LimitRider(
            bib=bib,
            status=rider.status,
            margin_s=rider.margin_s,
            group_id=rider.group_id,
            missing_since_t=rider.seen_t if missing else None,
            finished=rider.finished,
            watched=watched,
        )


def _carried(last_km: list[float | None], severity: int, km: float) -> LimitStatus:
    """The worst status he was in over the last `RIDER_MEMORY_KM` of his road, now that he is
    in a group of `severity` at `km` to go (what is older is forgotten)."""
    last_km[severity] = km
    worst = severity
    for worse in range(severity + 1, len(STATUSES)):
        since = last_km[worse]
        if since is None:
            continue
        if since - km < RIDER_MEMORY_KM:
            worst = worse
        else:
            last_km[worse] = None
    return STATUSES[worst]
