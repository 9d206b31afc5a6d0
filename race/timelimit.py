"""The time limit, projected live: the winner's time forecast, the cut, each group's margin.

The rules come from a `RuleSet` (race/rulesets/*.toml). Before the winner finishes, his time
is forecast from the head of the race: time so far plus the remaining distance at the speed
the head has averaged, adjusted for the gradient of the road still to come when the profile is
known. After the winner finishes, his time and the cut are final and each group still on the
road gets a countdown.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import pairwise

from race.alerts import AlertLog, Hysteresis
from race.limits import cut_seconds, percent_for
from race.models import Bib, Stage, StageType
from race.settings import EngineSettings
from race.situation import AlertLevel, GroupView, LimitGroup, LimitStatus, Roster, TimeLimit
from race.text import clock

ASSUMED_COEFFICIENT: dict[StageType, int] = {"flat": 1, "hilly": 3, "mountain": 4, "itt": 6}
"""Coefficient assumed from the stage type when neither the feed nor the config gives one."""

TREND_HORIZON_KM = 20.0
"""A gap trend is extrapolated this far at most: beyond, the road (and the race) changes."""
SETTLED_AFTER_KM = 20.0
"""Before the head has covered this much, the forecast is too uncertain to raise alerts."""

_SEVERITY: dict[LimitStatus, int] = {"safe": 0, "tight": 1, "danger": 2, "outside": 3}


def speed_factor(gradient_pct: float) -> float:
    """Speed on a gradient relative to the flat, for a bunch of professionals.

    Calibrated on typical figures: 7 % ≈ 0.5 (22 km/h against 44), 4 % ≈ 0.64, and descents
    faster but capped (braking, bends).
    """
    if gradient_pct >= 0:
        return 1.0 / (1.0 + 0.14 * gradient_pct)
    return min(1.4, 1.0 - 0.06 * gradient_pct)


class EffortProfile:
    """Flat-equivalent distance along the route: each km divided by its gradient's speed factor."""

    def __init__(self, stage: Stage) -> None:
        points = sorted(stage.profile, key=lambda p: p.km)
        self._km: list[float] = [p.km for p in points]
        self._effort: list[float] = [0.0]
        for a, b in pairwise(points):
            length = b.km - a.km
            gradient = (b.altitude_m - a.altitude_m) / (length * 10.0) if length > 0 else 0.0
            self._effort.append(self._effort[-1] + length / speed_factor(gradient))
        self.usable = len(points) >= 2

    def at(self, km_from_start: float) -> float:
        km = self._km
        if km_from_start <= km[0]:
            return km_from_start - km[0]
        if km_from_start >= km[-1]:
            return self._effort[-1] + (km_from_start - km[-1])
        i = bisect_left(km, km_from_start)
        k0, k1 = km[i - 1], km[i]
        e0, e1 = self._effort[i - 1], self._effort[i]
        return e0 + (e1 - e0) * (km_from_start - k0) / (k1 - k0)


class TimeLimitTracker:
    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._stage: Stage | None = None
        self._roster = Roster()
        self._effort: EffortProfile | None = None
        self._status: Hysteresis[LimitStatus] = Hysteresis(frames=2)

    def set_stage(self, stage: Stage, roster: Roster) -> None:
        self._stage = stage
        self._roster = roster
        effort = EffortProfile(stage)
        self._effort = effort if effort.usable else None

    def _coefficient(self) -> tuple[int | str | None, bool]:
        """The coefficient in force and whether it was assumed from the stage type."""
        if self.settings.coefficient is not None:
            return self.settings.coefficient, False
        if self._stage is None:
            return None, False
        if self._stage.coefficient is not None:
            return self._stage.coefficient, False
        return ASSUMED_COEFFICIENT.get(self._stage.type), True

    def _watched(self) -> list[Bib]:
        if self.settings.watch is not None:
            watched = list(self.settings.watch)
        else:
            watched = [b for b, r in self._roster.riders.items() if r.role == "sprinter"]
            watched += [t.sprinter for t in self.settings.trains if t.sprinter not in watched]
        my_team = self.settings.my_team
        riders = self._roster.riders
        watched.sort(key=lambda b: (not (my_team and b in riders and riders[b].team == my_team), b))
        return watched

    def forecast_winner_time(self, race_time_s: float, head_km: float) -> float | None:
        """Forecast of the winner's time from the head of the race's progress."""
        stage = self._stage
        if stage is None or race_time_s <= 0:
            return None
        covered = stage.distance_km - head_km
        if covered <= 0.5:
            return None
        if self._effort is not None:
            done = self._effort.at(covered)
            total = self._effort.at(stage.distance_km)
            if done > 0:
                return race_time_s * total / done
        return race_time_s * stage.distance_km / covered

    def update(
        self,
        *,
        t: float,
        race_time_s: float | None,
        head_km: float | None,
        winner_time_s: float | None,
        winner_t: float | None,
        groups: Sequence[GroupView],
        alerts: AlertLog,
    ) -> TimeLimit:
        rules = self.settings.rules
        stage = self._stage
        if rules is None or stage is None:
            return TimeLimit()
        coefficient, assumed = self._coefficient()
        final = winner_time_s is not None
        if final:
            winner_time = winner_time_s
        elif race_time_s is not None and head_km is not None:
            winner_time = self.forecast_winner_time(race_time_s, head_km)
        else:
            winner_time = None
        coef_text = f"coef {coefficient}{' (assumed)' if assumed else ''}"
        if coefficient is None or winner_time is None or winner_time <= 0:
            return TimeLimit(
                rules=rules.name,
                coefficient=_int_or_none(coefficient),
                basis=f"{coef_text} · waiting for the race to start",
            )
        speed = stage.distance_km / winner_time * 3600.0
        try:
            percent = percent_for(
                rules, coefficient, speed, fixed_percent=self.settings.fixed_percent
            )
        except ValueError:
            return TimeLimit(
                rules=rules.name,
                coefficient=_int_or_none(coefficient),
                basis=f"{rules.name} has no {coef_text}: set [stage] coefficient or category",
            )
        cut = cut_seconds(rules, winner_time, percent, self.settings.extra_points)
        total_percent = percent + self.settings.extra_points
        approx = "=" if final else "≈"
        basis = (
            f"{coef_text} · winner {approx} {speed:.1f} km/h → {total_percent:g} % "
            f"→ cut {approx} +{clock(cut)}"
        )
        watched = self._watched()
        limit_groups: list[LimitGroup] = []
        for group in groups[1:] if groups and groups[0].gap_s == 0 else groups:
            projected = self._projected_gap(group)
            margin = cut - projected
            raw = _status(margin, self.settings.tight_margin_s, self.settings.danger_margin_s)
            riders = set(group.riders)
            in_group = [b for b in watched if b in riders]
            status, previous = self._status.update(group.id, raw)
            settled = final or (
                head_km is not None and stage.distance_km - head_km >= SETTLED_AFTER_KM
            )
            if previous is not None and in_group and settled:
                self._alert_transition(t, group, in_group, status, previous, margin, alerts)
            countdown = None
            if final and winner_t is not None and not group.finished:
                countdown = winner_t + cut - t
            limit_groups.append(
                LimitGroup(
                    id=group.id,
                    name=group.name,
                    projected_gap_s=round(projected, 1),
                    margin_s=round(margin, 1),
                    status=status,
                    watched=tuple(in_group),
                    countdown_s=round(countdown, 1) if countdown is not None else None,
                )
            )
        outside: tuple[Bib, ...] = ()
        if final:
            outside = tuple(b for g in groups if g.finished and g.gap_s > cut for b in g.riders)
        return TimeLimit(
            rules=rules.name,
            coefficient=_int_or_none(coefficient),
            percent=total_percent,
            winner_time_s=round(winner_time, 1),
            winner_speed_kmh=round(speed, 2),
            final=final,
            cut_s=round(cut, 1),
            basis=basis,
            groups=tuple(limit_groups),
            finished_outside=outside,
        )

    @staticmethod
    def _projected_gap(group: GroupView) -> float:
        """The group's gap at the finish if its current trend holds (for `TREND_HORIZON_KM`)."""
        if group.finished or group.trend_s_per_10km is None:
            return group.gap_s
        horizon = min(group.km_to_finish, TREND_HORIZON_KM)
        return max(0.0, group.gap_s + group.trend_s_per_10km * horizon / 10.0)

    def _alert_transition(
        self,
        t: float,
        group: GroupView,
        watched: list[Bib],
        status: LimitStatus,
        previous: LimitStatus,
        margin: float,
        alerts: AlertLog,
    ) -> None:
        names = ", ".join(self._roster.name(b) for b in watched[:3])
        more = f" +{len(watched) - 3}" if len(watched) > 3 else ""
        where = f"{group.km_to_finish:.0f} km to go" if not group.finished else "at the finish"
        sign = "" if margin >= 0 else "−"
        level: AlertLevel
        if _SEVERITY[status] > _SEVERITY[previous]:
            level = "critical" if status in ("danger", "outside") else "warning"
            text = (
                f"Time limit {status.upper()}: {group.name} ({names}{more}) margin "
                f"{sign}{clock(abs(margin))}, {where}"
            )
        else:
            level = "info"
            text = (
                f"Time limit: {group.name} ({names}{more}) back to {status}, margin "
                f"{sign}{clock(abs(margin))}, {where}"
            )
        alerts.raise_(t, f"time_limit_{status}", text, level, key=f"time_limit:{group.id}:{status}")


def _status(margin: float, tight: float, danger: float) -> LimitStatus:
    if margin < 0:
        return "outside"
    if margin < danger:
        return "danger"
    if margin < tight:
        return "tight"
    return "safe"


def _int_or_none(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None
