"""Lead-out trains: where each sprinter's train is in the bunch, and whether he holds the wheel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from race.alerts import AlertLog, Hysteresis
from race.models import Bib
from race.settings import EngineSettings
from race.situation import Finale, Roster, SprinterState, Train, TrainRider
from race.text import ordinal

TEAMMATE_REACH_M = 50.0
"""A lead-out man further than this ahead of his sprinter is no longer with him."""
OUT_OF_POSITION_RANK = 30
"""In the finale a sprinter further back than this is out of position."""
TOP_RANK_AT_3KM = 20
BEFORE_FINALE_EVERY_S = 30.0
"""Before the finale the sprinters' positions are an overview: refreshed every 30 s of race."""
SPRINT_OVER_KM = 0.25
"""In the last 250 m the last man has released his sprinter: no state change is meaningful."""


@dataclass(frozen=True)
class TrainPlan:
    team: str
    sprinter: Bib
    leadout: tuple[Bib, ...]


class LeadoutTracker:
    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._plans: list[TrainPlan] = [
            TrainPlan(t.team, t.sprinter, t.leadout) for t in settings.trains
        ]
        self._roster = Roster()
        self._states: Hysteresis[SprinterState] = Hysteresis(frames=2)
        self._engaged: set[str] = set()
        self._checked_3km = False
        self._last_t: float | None = None
        self._view: tuple[tuple[Train, ...], Finale] | None = None
        self._view_t: float | None = None

    def set_roster(self, roster: Roster) -> None:
        self._roster = roster
        configured = {p.team for p in self._plans}
        by_team: dict[str, TrainPlan] = {}
        for rider in roster.riders.values():
            if rider.team in configured or rider.role != "sprinter":
                continue
            leadout = tuple(
                r.bib
                for r in roster.riders.values()
                if r.team == rider.team and r.role == "leadout"
            )
            by_team[rider.team] = TrainPlan(rider.team, rider.bib, leadout)
        self._plans = [p for p in self._plans if p.team in configured] + sorted(
            by_team.values(), key=lambda p: p.team
        )

    def update(
        self,
        *,
        t: float,
        head_km: float | None,
        positions: Mapping[Bib, float],
        ranks: Mapping[Bib, int],
        speeds: Mapping[Bib, float | None],
        alerts: AlertLog,
    ) -> tuple[tuple[Train, ...], Finale]:
        active = head_km is not None and head_km <= self.settings.finale_km
        if (
            not active
            and self._view is not None
            and self._view_t is not None
            and t - self._view_t < BEFORE_FINALE_EVERY_S
        ):
            self._last_t = t
            return self._view
        cadence = t - self._last_t if self._last_t is not None else None
        self._last_t = t
        speed_values = [s for s in speeds.values() if s]
        bunch_speed = sorted(speed_values)[len(speed_values) // 2] if speed_values else None
        resolution = (bunch_speed / 3.6 * cadence) if bunch_speed and cadence else None
        finale = Finale(
            active=active,
            finale_km=self.settings.finale_km,
            head_km_to_finish=head_km,
            resolution_m=round(resolution) if resolution else None,
            cadence_s=cadence,
        )
        by_rank = sorted(ranks, key=lambda b: ranks[b])
        trains: list[Train] = []
        for plan in self._plans:
            train = self._train(plan, positions, ranks, by_rank, speeds, active)
            if train is None:
                continue
            state, previous = self._states.update(plan.team, train.status)
            train = train.model_copy(update={"status": state})
            if active and state in ("on_wheel", "gap_opening", "boxed"):
                self._engaged.add(plan.team)
            if (
                active
                and previous is not None
                and state == "lost_wheel"
                and plan.team in self._engaged
                and head_km is not None
                and head_km > SPRINT_OVER_KM
            ):
                km = positions.get(plan.sprinter, head_km)
                last = _last_man(train)
                alerts.raise_(
                    t,
                    "lost_wheel",
                    f"{self._roster.name(plan.sprinter)} ({plan.team}) lost the wheel of "
                    f"{self._roster.name(last) if last else 'his last man'} at {km:.1f} km",
                    "critical" if plan.team == self.settings.my_team else "warning",
                    key=f"lost_wheel:{plan.team}",
                )
            trains.append(train)
        if active and head_km is not None and head_km <= 3.0 and not self._checked_3km:
            self._checked_3km = True
            for train in trains:
                if train.team in self._engaged and train.sprinter_rank > TOP_RANK_AT_3KM:
                    alerts.raise_(
                        t,
                        "train_out_of_top",
                        f"{train.team} train out of the top {TOP_RANK_AT_3KM} at 3 km "
                        f"({self._roster.name(train.sprinter)} {ordinal(train.sprinter_rank)})",
                        "warning",
                        key=f"train_out_of_top:{train.team}",
                    )
        trains.sort(key=lambda tr: (tr.sprinter_rank, tr.team))
        self._view = (tuple(trains), finale)
        self._view_t = t
        return self._view

    def _train(
        self,
        plan: TrainPlan,
        positions: Mapping[Bib, float],
        ranks: Mapping[Bib, int],
        by_rank: list[Bib],
        speeds: Mapping[Bib, float | None],
        active: bool,
    ) -> Train | None:
        sprinter_km = positions.get(plan.sprinter)
        if sprinter_km is None:
            return None
        members = [b for b in (*plan.leadout, plan.sprinter) if b in positions]
        members.sort(key=lambda b: ranks[b])
        riders: list[TrainRider] = []
        previous_km: float | None = None
        for bib in members:
            km = positions[bib]
            gap_m = (km - previous_km) * 1000.0 if previous_km is not None else None
            speed = speeds.get(bib)
            gap_s = gap_m / (speed / 3.6) if gap_m is not None and speed else None
            riders.append(
                TrainRider(
                    bib=bib,
                    rank=ranks[bib],
                    gap_m=round(gap_m, 1) if gap_m is not None else None,
                    gap_s=round(gap_s, 2) if gap_s is not None else None,
                    role="sprinter" if bib == plan.sprinter else "leadout",
                )
            )
            previous_km = km
        status, intruders = self._sprinter_state(plan, positions, ranks, by_rank, members)
        return Train(
            team=plan.team,
            sprinter=plan.sprinter,
            riders=tuple(riders),
            status=status,
            sprinter_rank=ranks[plan.sprinter],
            intruders=intruders,
            my_team=plan.team == self.settings.my_team,
        )

    def _sprinter_state(
        self,
        plan: TrainPlan,
        positions: Mapping[Bib, float],
        ranks: Mapping[Bib, int],
        by_rank: list[Bib],
        members: list[Bib],
    ) -> tuple[SprinterState, int]:
        sprinter_rank = ranks[plan.sprinter]
        ahead = [b for b in members if ranks[b] < sprinter_rank]
        if not ahead:
            return "out_of_position", 0
        last = ahead[-1]
        distance_m = (positions[plan.sprinter] - positions[last]) * 1000.0
        if distance_m > TEAMMATE_REACH_M or sprinter_rank > OUT_OF_POSITION_RANK:
            return "out_of_position", 0
        team = plan.team
        riders = self._roster.riders
        between = by_rank[ranks[last] : sprinter_rank - 1]
        intruders = sum(1 for b in between if b not in riders or riders[b].team != team)
        if distance_m > self.settings.lost_wheel_m:
            return "lost_wheel", intruders
        if intruders:
            return "boxed", intruders
        if distance_m > self.settings.wheel_m:
            return "gap_opening", 0
        return "on_wheel", 0


def _last_man(train: Train) -> Bib | None:
    previous: Bib | None = None
    for rider in train.riders:
        if rider.role == "sprinter":
            return previous
        previous = rider.bib
    return None
