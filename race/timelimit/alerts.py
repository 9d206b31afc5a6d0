"""What the time limit makes race radio say: a watched rider's status getting tight, in danger
or outside (at once) or better (once it has held over his road: `race.timelimit.riders`), and
each watched rider's finish. When nobody is named to watch, every rider behind the head is."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from race.alerts import AlertLog
from race.models import Bib
from race.situation import AlertLevel, GroupView, LimitGroup, LimitStatus, Roster
from race.timelimit.riders import RiderStatuses
from race.timelimit.status import SEVERITY
from race.wording import clock


class LimitAlerts:
    """The alerts of one stage, and what they remember (a new stage starts anew)."""

    def __init__(self, roster: Roster, watched: list[Bib], watch_all: bool = False) -> None:
        self._roster = roster
        self._watched = watched
        """Watched riders, my team first."""
        self._watch_all = watch_all
        """Nobody is named: every rider behind the head is watched."""
        self._road_group: dict[Bib, str] = {}
        """Once the winner has finished: each rider's group while he was on the road (his last
        one once he has finished)."""
        self._crossing: set[str] = set()
        """Road groups whose first riders have crossed the line."""
        self._rider_status: dict[Bib, LimitStatus] = {}
        """Each watched rider's status as last announced."""
        self._finished: set[Bib] = set()
        """Watched riders whose finish has been handled."""
        self._announced_groups: set[str] = set()
        """Road groups announced inside the limit."""
        self._announced_inside: set[Bib] = set()
        """Watched riders named in such an announcement while still a few metres from the line."""

    def set_roster(self, roster: Roster, watched: list[Bib], watch_all: bool = False) -> None:
        self._roster, self._watched, self._watch_all = roster, watched, watch_all

    def follow_road_groups(self, groups: Sequence[GroupView]) -> None:
        """Once the winner has finished: a group crossing the line stays one group for its
        riders still on the road (the engine gives those a new id when the first of them
        finish)."""
        road_group, crossing = self._road_group, self._crossing
        for g in groups:
            for bib in g.riders:
                road = road_group.get(bib)
                if g.finished:
                    if road is not None:
                        crossing.add(road)
                elif road not in crossing:
                    road_group[bib] = g.id

    def transitions(
        self,
        t: float,
        groups: Sequence[GroupView],
        limit_groups: Sequence[LimitGroup],
        alerts: AlertLog,
        riders: RiderStatuses,
        worsening: Callable[[str], bool],
    ) -> None:
        """One alert per group whose watched riders change status, once per transition. A
        rider's status already holds a better one back until it has held over his road; a
        group `worsening` past two thresholds at once is announced once, at the last."""
        announced = self._rider_status
        state_of = riders.status_of()
        for group, limit in zip(groups, limit_groups, strict=True):
            if group.finished or worsening(group.id):
                continue
            moved: dict[tuple[LimitStatus, LimitStatus], list[Bib]] = {}
            for bib in group.riders if self._watch_all else limit.watched:
                # Every rider of every group when all are watched: `RiderStatuses.status`
                # inlined.
                state = state_of.get(bib)
                status = state.status if state is not None else limit.status
                before = announced.get(bib, "safe")
                if before != status:
                    moved.setdefault((before, status), []).append(bib)
                    announced[bib] = status
            for (before, status), bibs in moved.items():
                self._raise_transition(t, group, limit, before, status, bibs, alerts)

    def _raise_transition(
        self,
        t: float,
        group: GroupView,
        limit: LimitGroup,
        before: LimitStatus,
        status: LimitStatus,
        bibs: list[Bib],
        alerts: AlertLog,
    ) -> None:
        names = self._names(bibs)
        # A time trial's rows are riders: "A. Gate", not "A. Gate (A. Gate)".
        who = group.name if names == group.name else f"{group.name} ({names})"
        if limit.countdown_s is not None and limit.countdown_s < 0:
            where = "the limit has passed"
        else:
            where = f"{group.km_to_finish:.0f} km to go"
        margin = f"margin {'−' if limit.margin_s < 0 else ''}{clock(abs(limit.margin_s))}"
        level: AlertLevel
        if SEVERITY[status] > SEVERITY[before]:
            level = "critical" if status in ("danger", "outside") else "warning"
            text = f"Time limit {status.upper()}: {who} {margin}, {where}"
        else:
            level = "info"
            text = f"Time limit: {who} back to {status}, {margin}, {where}"
        alerts.raise_(
            t, f"time_limit_{status}", text, level, key=f"time_limit:{bibs[0]}:{before}:{status}"
        )

    def finishes(
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
            for bib in self._finishing(group, limit):
                if bib in self._finished:
                    continue
                self._finished.add(bib)
                self._rider_status[bib] = limit.status
                road = self._road_group.get(bib, group.id)
                arrivals.setdefault(road, []).append((bib, limit.margin_s))
        if not arrivals:
            return  # Every frame before the line: the riders on the road are not gathered.
        road_order = [b for g in groups if not g.finished for b in g.riders]
        on_road = set(road_order)
        for road, arrived in arrivals.items():
            inside = [(b, m) for b, m in arrived if m >= 0 and b not in self._announced_inside]
            if inside and road not in self._announced_groups:
                self._announced_groups.add(road)
                coming = [
                    b
                    for b in (road_order if self._watch_all else self._watched)
                    if self._road_group.get(b) == road and self._followed(b) and b in on_road
                ]
                self._announced_inside.update(coming)
                named = {b for b, _ in inside} | set(coming)
                bibs = self._in_order(named)
                margin = min(m for _, m in inside)
                text = f"{self._names(bibs)} in, {clock(margin)} inside the time limit"
                alerts.raise_(t, "time_limit_finish", text, "info", key=f"time_limit_in:{road}")
            outside = [(b, m) for b, m in arrived if m < 0]
            if outside:
                bibs = self._in_order({b for b, _ in outside})
                late = clock(-max(m for _, m in outside))
                text = f"{self._names(bibs)} finish {late} OUTSIDE the time limit"
                alerts.raise_(
                    t, "time_limit_finish", text, "critical", key=f"time_limit_out:{bibs[0]}"
                )

    def _finishing(self, group: GroupView, limit: LimitGroup) -> Sequence[Bib]:
        """Whose finish is announced: the watched riders; when nobody is named, the riders
        whose status was announced as not safe, and those who finish outside."""
        if not self._watch_all:
            return limit.watched
        if limit.margin_s < 0:
            return group.riders
        return [b for b in group.riders if self._followed(b)]

    def _followed(self, bib: Bib) -> bool:
        """Named to watch, or (nobody named) announced as not safe."""
        if self._watch_all:
            return self._rider_status.get(bib, "safe") != "safe"
        return True

    def _in_order(self, bibs: set[Bib]) -> list[Bib]:
        """The watched riders' order (my team first); by bib when nobody is named."""
        if self._watch_all:
            return sorted(bibs)
        return [b for b in self._watched if b in bibs]

    def _names(self, bibs: Sequence[Bib]) -> str:
        return self._roster.names(bibs, limit=3)
