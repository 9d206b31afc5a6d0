"""What the time limit makes race radio say: a watched rider's group getting tight, in danger or
outside (at once) or better (once it has held), and each watched rider's finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from race.alerts import AlertLog
from race.models import Bib
from race.situation import AlertLevel, GroupView, LimitGroup, LimitStatus, Roster
from race.timelimit.status import SEVERITY
from race.wording import clock

ANNOUNCE_BETTER_AFTER_KM = 3.0
"""A watched rider's status is announced at once when it gets worse, but when it gets better
only once it has stayed better over this much of his road. Riders go in and out of the back
of a bunch, and of the groups it sheds, every few hundred metres (on the real stage 5
recording, within 1 km), and a margin drifts back and forth across a threshold: each time
the news would be good, then bad again. The all-clear can wait a few minutes; a warning
cannot."""


class LimitAlerts:
    """The alerts of one stage, and what they remember (a new stage starts anew)."""

    def __init__(self, roster: Roster, watched: list[Bib]) -> None:
        self._roster = roster
        self._watched = watched
        """Watched riders, my team first."""
        self._road_group: dict[Bib, str] = {}
        """Once the winner has finished: each rider's group while he was on the road (his last
        one once he has finished)."""
        self._crossing: set[str] = set()
        """Road groups whose first riders have crossed the line."""
        self._rider_status: dict[Bib, LimitStatus] = {}
        """Each watched rider's status as last announced."""
        self._better_since: dict[Bib, float] = {}
        """Watched riders whose status is better than announced: where it got better (his
        group's km to go)."""
        self._finished: set[Bib] = set()
        """Watched riders whose finish has been handled."""
        self._announced_groups: set[str] = set()
        """Road groups announced inside the limit."""
        self._announced_inside: set[Bib] = set()
        """Watched riders named in such an announcement while still a few metres from the line."""

    def set_roster(self, roster: Roster, watched: list[Bib]) -> None:
        self._roster, self._watched = roster, watched

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
        provisional: Callable[[str], bool],
    ) -> None:
        """One alert per group whose watched riders change status, once per transition: a
        worse status at once, a better one once it has held (`ANNOUNCE_BETTER_AFTER_KM`)."""
        announced, better_since = self._rider_status, self._better_since
        for group, limit in zip(groups, limit_groups, strict=True):
            if group.finished:
                continue
            moved: dict[LimitStatus, list[Bib]] = {}
            for bib in limit.watched:
                before = announced.get(bib, "safe")
                if before == limit.status:
                    better_since.pop(bib, None)
                    continue
                if SEVERITY[limit.status] < SEVERITY[before]:
                    if provisional(group.id):
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
            for bib in limit.watched:
                if bib in self._finished:
                    continue
                self._finished.add(bib)
                self._rider_status[bib] = limit.status
                self._better_since.pop(bib, None)
                road = self._road_group.get(bib, group.id)
                arrivals.setdefault(road, []).append((bib, limit.margin_s))
        on_road = {b for g in groups if not g.finished for b in g.riders}
        for road, arrived in arrivals.items():
            inside = [(b, m) for b, m in arrived if m >= 0 and b not in self._announced_inside]
            if inside and road not in self._announced_groups:
                self._announced_groups.add(road)
                coming = [
                    b for b in self._watched if b in on_road and self._road_group.get(b) == road
                ]
                self._announced_inside.update(coming)
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
