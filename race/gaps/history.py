"""How the gaps evolved: each group's gap to the head of the race over the head's road, where
groups were caught, and the projected time-limit cut; what the gap chart draws.

Sampled on the head's road (km from the start), not on time: a stage is told by the km, and a
sample every `SAMPLE_KM` keeps a 200 km stage to a few hundred points per group. Groups are
followed by their lineage ids (`race.gaps.lineage`), so a group keeps its line across splits
and merges. Plain lists of tuples: the engine's state is deep-copied and pickled (checkpoints),
and the chart asks for a `GapStory` only when it draws (`Race.gap_story`), never per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from race.frame import Frame
from race.gaps.lineage import Lineage
from race.situation import GroupKind, TimeLimit
from race.story import Catch, GapLine, GapStory

SAMPLE_KM = 0.5
"""One sample per this much of the head's road: a chart cell is a km or more at 80 columns."""
CATCH_CONFIRM_KM = 1.0
"""A group gone into another counts as caught once it has not come back over this much
road (or by the line): a group flickering apart and together at the split threshold is not
caught each time."""
LIMIT_STATUSES_THAT_MATTER = frozenset({"tight", "danger", "outside"})
"""The time limit matters on a day some group has been this close to (or past) the cut."""


@dataclass(slots=True)
class _Series:
    name: str
    kind: GroupKind
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    """A group that vanished into the one ahead: a catch once confirmed."""

    km: float
    gap_s: float
    caught: str
    by: str


class GapHistory:
    """Collects the gap story of one stage; `update` once per frame, after the time limit."""

    def __init__(self) -> None:
        self._series: dict[str, _Series] = {}
        self._catches: list[Catch] = []
        self._pending: dict[str, _Pending] = {}
        self._cut: list[tuple[float, float]] = []
        self._matters = False
        self._last_km: float | None = None
        self._distance: float | None = None
        self._last_gaps: dict[str, float] = {}
        self._finished: set[str] = set()

    def update(self, frame: Frame, time_limit: TimeLimit) -> None:
        """Take the frame's groups (on the road) and the time limit's cut."""
        stage = frame.stage
        if stage is None or frame.head_km is None:
            return
        self._distance = stage.distance_km
        km = stage.distance_km - frame.head_km
        road = [g for g in frame.groups if not g.finished]
        self._finishes(frame, stage.distance_km)
        gaps = {g.id: g.gap_s for g in road}
        if frame.lineage is not None:
            self._catches_in(frame.lineage, km, gaps)
        self._matters = self._matters or any(
            g.status in LIMIT_STATUSES_THAT_MATTER for g in time_limit.groups
        )
        for group in road:
            series = self._series.get(group.id)
            if series is None:
                series = self._series[group.id] = _Series(group.name, group.kind)
            else:
                series.name, series.kind = group.name, group.kind
        self._last_gaps = gaps
        if self._last_km is not None and km < self._last_km + SAMPLE_KM:
            return
        self._last_km = km
        for group in road:
            self._series[group.id].points.append((round(km, 2), group.gap_s))
        if time_limit.cut_s is not None and not time_limit.final:
            self._cut.append((round(km, 2), time_limit.cut_s))

    def _finishes(self, frame: Frame, distance_km: float) -> None:
        """A group across the line ends its line at the finish with its final gap (the head's
        road ends with the winner: the groups behind are not sampled on it any more)."""
        for group in frame.groups:
            series = self._series.get(group.id)
            if not group.finished or series is None or group.id in self._finished:
                continue
            self._finished.add(group.id)
            if series.points and series.points[-1][0] < distance_km:
                series.points.append((round(distance_km, 2), group.gap_s))

    def _catches_in(self, lineage: Lineage, km: float, gaps: dict[str, float]) -> None:
        """Groups of the last frame gone into another group of the last frame: the one behind
        caught them, or they bridged to the one ahead. The mark is where the two lines meet:
        the gap of the group they went into."""
        for gid in list(self._pending):
            pending = self._pending[gid]
            if gid in lineage.members:
                del self._pending[gid]  # It came back: a flicker, not a catch.
            elif km >= min(pending.km + CATCH_CONFIRM_KM, self._distance or math.inf):
                del self._pending[gid]
                self._catches.append(Catch(pending.km, pending.gap_s, pending.caught, pending.by))
        for gid, riders in lineage.previous.items():
            if gid in lineage.members or gid not in self._last_gaps:
                continue
            into = max(
                lineage.members, key=lambda m: len(lineage.members[m] & riders), default=None
            )
            if into is None or into not in lineage.previous or into not in gaps:
                continue  # Gone off the road (finished), or into a group new in this frame.
            if not lineage.members[into] & riders:
                continue
            caught, by = self._series.get(gid), self._series.get(into)
            self._pending[gid] = _Pending(
                round(km, 2),
                gaps[into],
                caught.name if caught is not None else "?",
                by.name if by is not None else "?",
            )

    def story(self) -> GapStory:
        """The story so far, as immutable tuples (a copy: call it to draw, not per frame)."""
        return GapStory(
            distance_km=self._distance,
            lines=tuple(
                GapLine(gid, s.name, s.kind, tuple(s.points))
                for gid, s in self._series.items()
                if s.points
            ),
            catches=tuple(self._catches),
            cut=tuple(self._cut) if self._matters else (),
            limit_matters=self._matters,
            head_km=self._last_km,
        )
