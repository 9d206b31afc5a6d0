"""The road still to come, and the winner's time forecast on it.

`Terrain` reads the stage profile: how much climbing, descending and flat road lies between two
points, and the flat-equivalent distance (each km weighted by how much its gradient slows a
bunch). The winner's time is the head of the race's average so far, in flat-equivalent km,
carried over the road left. What each group will lose on that road is `race.timelimit.losses`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from race.models import Stage
from race.sanity import FASTEST_KMH

STEP_KM = 0.5
"""The profile is resampled every 500 m: finer altitude data (a GPS trace) mostly adds noise
to gradients, and a bunch does not change speed for a 100 m ramp."""
CLIMB_FROM_PCT = 2.0
"""Below this gradient a bunch rides as on the flat (drafting dominates): no climbing loss."""
DESCENT_FROM_PCT = 2.0
"""Below this downhill gradient a road counts as flat."""


def speed_factor(gradient_pct: float) -> float:
    """Speed of a professional bunch on a gradient, relative to its speed on the flat.

    Calibrated on typical figures: 7 % ≈ 0.5 (22 km/h against 44), 4 % ≈ 0.64; descents
    faster but capped at 1.4 (braking, bends).
    """
    if gradient_pct >= 0:
        return 1.0 / (1.0 + 0.14 * gradient_pct)
    return min(1.4, 1.0 - 0.06 * gradient_pct)


@dataclass(frozen=True, slots=True)
class Load:
    """What a stretch of road asks of a group: the features of the loss model."""

    climb: float
    """Sum over the stretch of (gradient - CLIMB_FROM_PCT) where steeper, in %·km."""
    length: float
    """Length in km."""
    descent: float
    """Sum of (-gradient - DESCENT_FROM_PCT) where steeper downhill, in %·km."""
    flat: float = 0.0
    """Km of it neither climbing nor descending (gradient between the two thresholds)."""


class Terrain:
    """Cumulative climbing, descending and flat-equivalent distance along the route.

    Positions are km from the start. `usable` is False when the feed gave no profile: the
    projections then fall back to a flat road.
    """

    def __init__(self, stage: Stage) -> None:
        points = sorted(stage.profile, key=lambda p: p.km)
        self.usable = len(points) >= 2 and points[-1].km > points[0].km
        if not self.usable:
            self._x = [0.0, max(stage.distance_km, 1.0)]
            self._climb = [0.0, 0.0]
            self._descent = [0.0, 0.0]
            self._flat = [0.0, self._x[1]]
            self._effort = [0.0, self._x[1]]
            return
        kms = [p.km for p in points]
        alts = [p.altitude_m for p in points]
        start, end = kms[0], kms[-1]
        steps = max(1, math.ceil((end - start) / STEP_KM))
        self._x = [start + (end - start) * i / steps for i in range(steps + 1)]
        altitude = [_interpolate(kms, alts, x) for x in self._x]
        self._climb = [0.0]
        self._descent = [0.0]
        self._flat = [0.0]
        self._effort = [0.0]
        for i in range(steps):
            length = self._x[i + 1] - self._x[i]
            gradient = (altitude[i + 1] - altitude[i]) / (length * 10.0)
            self._climb.append(self._climb[-1] + max(gradient - CLIMB_FROM_PCT, 0.0) * length)
            self._descent.append(
                self._descent[-1] + max(-gradient - DESCENT_FROM_PCT, 0.0) * length
            )
            self._effort.append(self._effort[-1] + length / speed_factor(gradient))
            level = -DESCENT_FROM_PCT <= gradient <= CLIMB_FROM_PCT
            self._flat.append(self._flat[-1] + (length if level else 0.0))

    def load(self, x_from: float, x_to: float) -> Load:
        """The road between two positions (km from the start), x_from <= x_to."""
        climb_from, descent_from, flat_from = self._loads_at(x_from)
        climb_to, descent_to, flat_to = self._loads_at(x_to)
        return Load(
            climb=climb_to - climb_from,
            length=x_to - x_from,
            descent=descent_to - descent_from,
            flat=flat_to - flat_from,
        )

    def _loads_at(self, x: float) -> tuple[float, float, float]:
        """Cumulative climb, descent and flat at `x`: one search for the three (every group
        is projected to the finish every frame). Road off the profile counts as flat."""
        xs = self._x
        if x <= xs[0]:
            return self._climb[0], self._descent[0], self._flat[0] - (xs[0] - x)
        if x >= xs[-1]:
            return self._climb[-1], self._descent[-1], self._flat[-1] + (x - xs[-1])
        i = min(max(bisect_right(xs, x), 1), len(xs) - 1)
        x0, x1 = xs[i - 1], xs[i]
        f = (x - x0) / (x1 - x0) if x1 != x0 else 1.0
        climb, descent, flat = self._climb, self._descent, self._flat
        return (
            climb[i - 1] + (climb[i] - climb[i - 1]) * f,
            descent[i - 1] + (descent[i] - descent[i - 1]) * f,
            flat[i - 1] + (flat[i] - flat[i - 1]) * f,
        )

    def effort(self, x: float) -> float:
        """Flat-equivalent km from the start to `x` (road off the profile counts as flat)."""
        return self._cumulative(self._effort, x, 1.0)

    def _cumulative(self, values: list[float], x: float, slope_outside: float) -> float:
        xs = self._x
        if x <= xs[0]:
            return values[0] - (xs[0] - x) * slope_outside
        if x >= xs[-1]:
            return values[-1] + (x - xs[-1]) * slope_outside
        return _interpolate(xs, values, x)


def _interpolate(xs: list[float], ys: list[float], x: float) -> float:
    """Piecewise-linear y(x) for x inside [xs[0], xs[-1]]."""
    i = min(max(bisect_right(xs, x), 1), len(xs) - 1)
    x0, x1 = xs[i - 1], xs[i]
    if x1 == x0:
        return ys[i]
    return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - x0) / (x1 - x0)


def forecast_winner_time(
    terrain: Terrain, distance_km: float, race_time_s: float, covered_km: float
) -> float | None:
    """The winner's time if the head keeps its average so far, adjusted for the road left.

    None until the head has covered enough road for an average to mean anything (0.5 km), and
    when that average is faster than any stage was ever won (the start time is wrong).
    """
    if race_time_s <= 0 or covered_km <= 0.5:
        return None
    if covered_km / race_time_s * 3600.0 > FASTEST_KMH:
        return None  # Faster than any stage was ever ridden: the start time is wrong.
    done = terrain.effort(covered_km) - terrain.effort(0.0)
    total = terrain.effort(distance_km) - terrain.effort(0.0)
    if done <= 0 or total <= 0:
        return race_time_s * distance_km / covered_km
    return race_time_s * total / done
