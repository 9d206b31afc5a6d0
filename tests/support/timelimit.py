"""The time-limit tracker driven as the engine drives it, on synthetic stages: a profile made
of (length, gradient) legs, a mountain stage, sprinters to watch, groups as the gaps tracker
hands them over, and a head riding at a constant speed.
"""

from __future__ import annotations

from collections.abc import Sequence

from race.alerts import AlertLog
from race.frame import Frame
from race.gaps.lineage import Lineage
from race.models import Bib, ProfilePoint, Rider, Stage, StageType
from race.settings import EngineSettings
from race.situation import GroupKind, GroupView, Roster, TimeLimit
from race.timelimit.tracker import TimeLimitTracker
from tests.support.stages import tdf_rules


def profile(*legs: tuple[float, float]) -> tuple[ProfilePoint, ...]:
    """A profile from (length km, gradient %) legs, starting at 500 m, a point every 100 m."""
    points = [ProfilePoint(km=0.0, altitude_m=500.0)]
    for length, gradient in legs:
        steps = round(length * 10)
        for _ in range(steps):
            last = points[-1]
            points.append(
                ProfilePoint(km=round(last.km + 0.1, 6), altitude_m=last.altitude_m + gradient)
            )
    return tuple(points)


def stage(
    *legs: tuple[float, float],
    coefficient: int | None = 4,
    stage_type: StageType = "mountain",
    distance_km: float | None = None,
) -> Stage:
    points = profile(*legs) if legs else ()
    return Stage(
        race="Test",
        year=2026,
        number=1,
        distance_km=distance_km if distance_km is not None else points[-1].km,
        type=stage_type,
        coefficient=coefficient,
        profile=points,
    )


MOUNTAIN = stage((40, 0), (10, 8), (10, -6), (40, 0))
"""100 km: 40 flat, a 10 km climb at 8 % (summit at km 50), 10 km of descent, 40 flat."""
SPRINTERS = (11, 21, 31)
ROSTER = Roster(
    riders={
        b: Rider(bib=b, first_name="Sam", last_name=f"Sprinter{b}", team=f"T{b}", role="sprinter")
        for b in SPRINTERS
    }
)


def view(
    gid: str,
    riders: Sequence[int],
    gap_s: float,
    km_to_finish: float,
    *,
    kind: GroupKind = "group",
    finished: bool = False,
) -> GroupView:
    return GroupView(
        id=gid,
        name=gid.capitalize(),
        kind=kind,
        riders=tuple(riders),
        gap_s=gap_s,
        gap_to_ahead_s=None,
        km_to_finish=km_to_finish,
        speed_kmh=None,
        trend_s_per_10km=None,
        trend_s_per_min=None,
        trend_basis=None,
        finished=finished,
    )


class Race:
    """Drives a tracker the way the engine does: a head at constant speed, one group behind."""

    def __init__(self, settings: EngineSettings | None = None, the_stage: Stage = MOUNTAIN) -> None:
        self.tracker = TimeLimitTracker(settings or EngineSettings(rules=tdf_rules()))
        self.tracker.set_stage(the_stage, ROSTER)
        self.stage = the_stage
        self.alerts = AlertLog()
        self.speed_kmh = 36.0
        self._members: dict[str, frozenset[Bib]] = {}
        self._last_seen: dict[str, frozenset[Bib]] = {}

    def lineage(self, groups: Sequence[GroupView]) -> Lineage:
        """Where each group comes from, by its id, as the engine's gaps tracker says it."""
        members = {g.id: frozenset(g.riders) for g in groups}
        lineage = Lineage(members, self._members, dict(self._last_seen))
        self._members = members
        self._last_seen.update(members)
        return lineage

    def at(
        self,
        head_covered_km: float,
        groups: Sequence[GroupView],
        *,
        winner_time_s: float | None = None,
        t: float | None = None,
    ) -> TimeLimit:
        race_time = head_covered_km / self.speed_kmh * 3600
        head = view("head", [1], 0.0, self.stage.distance_km - head_covered_km, kind="head")
        return self.tracker.update(
            Frame(
                stage=None,
                roster=Roster(),
                t=1_000_000 + (t if t is not None else race_time),
                race_time_s=race_time,
                head_km=self.stage.distance_km - head_covered_km,
                winner_time_s=winner_time_s,
                winner_t=1_000_000 + winner_time_s if winner_time_s is not None else None,
                groups=[head, *groups],
                lineage=self.lineage([head, *groups]),
                alerts=self.alerts,
            )
        )

    def kinds(self) -> list[str]:
        return [a.kind for a in self.alerts.alerts]
