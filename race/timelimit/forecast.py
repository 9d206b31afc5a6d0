"""Projections for the time limit: the winner's time, and each group's gap at the finish.

Both read the road still to come from the stage profile (`Terrain`):

- The winner's time: the head of the race's average so far, in flat-equivalent kilometres
  (each km weighted by how much a gradient slows a bunch), carried over the road left.
- A group's gap at the finish: its gap now plus what it will lose (or gain) on the road left.
  How much a group loses per km depends on the gradient: about a minute per km on a big climb
  for a grupetto of sprinters (Degenkolb's rule of thumb), some of it regained on the descents,
  a little on the flat. `LossModel` learns that relation for each group from its own gap
  along the road so far, and applies it to the climbs and descents still ahead.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

from race.models import Stage

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

    None until the head has covered enough road for an average to mean anything (0.5 km).
    """
    if race_time_s <= 0 or covered_km <= 0.5:
        return None
    done = terrain.effort(covered_km) - terrain.effort(0.0)
    total = terrain.effort(distance_km) - terrain.effort(0.0)
    if done <= 0 or total <= 0:
        return race_time_s * distance_km / covered_km
    return race_time_s * total / done


# --- A group's losses ------------------------------------------------------------------------


DEGENKOLB_S_PER_PCT_KM = 10.0
"""A grupetto's loss on a climb, per km and per % of gradient above `CLIMB_FROM_PCT`.

Degenkolb's rule of thumb: a sprinter loses about a minute per km on a big climb; 10 s per
%·km gives 60 s/km at 8 %, 40 s/km at 6 %. Only the prior of groups already dropped behind the
peloton: what a group actually loses is learned from its own gaps.
"""
DESCENT_REGAIN_S_PER_PCT_KM = -1.0
"""What a dropped group regains on a descent, per km and per % of gradient beyond
`DESCENT_FROM_PCT`: 4 s/km on a 6 % descent (60 km/h against 57 for the riders ahead).
Heavier riders in a big group descend at least as fast as the climbers ahead; only a prior,
like `DEGENKOLB_S_PER_PCT_KM`."""
PRIOR_CLIMB_WEIGHT = 72.0
"""Weight of the climbing prior, as data: 2 km of climbing at 6 % above the threshold."""
PRIOR_DESCENT_WEIGHT = 48.0
"""Weight of the descending prior, as data: 3 km of descent at 4 % above the threshold."""
PRIOR_FLAT_WEIGHT = 20.0
"""Weight of the prior "no loss on the flat" (a group holds its gap there), as data: 20 km of
flat road. What a group loses on the flat is carried over every flat km left, so it must be
shown over a long stretch."""
FORGET_AFTER_KM = 40.0
"""What a group showed this many km ago counts e (2.7) times less than what it shows now: a
grupetto tires, and the race ahead of it changes pace, from one climb to the next."""

_N = 3
"""Features of the loss model: climb, flat, descent."""


@dataclass
class LossModel:
    """A group's gap change over a stretch of road = a·climb + c·flat + b·descent, learned by
    weighted least squares with a prior (ridge) and exponential forgetting along the road.

    a: seconds lost per %·km of climbing; c: seconds lost per km of flat road; b: seconds lost
    per %·km of descending (negative: regained). Three separate kinds of road, so what a group
    shows on a climb does not leak into what it is expected to do on the flat. Each stretch is
    weighted by 1 / its length, so the fit does not depend on how often the group was sampled.
    """

    prior: tuple[float, float, float] = (0.0, 0.0, 0.0)
    _xx: list[list[float]] = field(default_factory=lambda: [[0.0] * _N for _ in range(_N)])
    _xy: list[float] = field(default_factory=lambda: [0.0] * _N)
    road_km: float = 0.0
    """Road the model has learned from (before forgetting)."""
    _fitted: tuple[tuple[float, float, float], tuple[float, float, float]] | None = None
    """(prior, coefficients) of the last fit: a group is projected every frame, but learns
    only every few frames."""

    def add(self, load: Load, gap_change_s: float) -> None:
        length = load.length
        if length <= 0:
            return
        keep = math.exp(-length / FORGET_AFTER_KM)
        w = 1.0 / length
        features = (load.climb, load.flat, load.descent)
        for i in range(_N):
            self._xy[i] = self._xy[i] * keep + w * features[i] * gap_change_s
            row = self._xx[i]
            for j in range(_N):
                row[j] = row[j] * keep + w * features[i] * features[j]
        self.road_km += length
        self._fitted = None

    def coefficients(self) -> tuple[float, float, float]:
        """(a, c, b): the prior pulled toward what the group has shown."""
        if self._fitted is not None and self._fitted[0] == self.prior:
            return self._fitted[1]
        weights = (PRIOR_CLIMB_WEIGHT, PRIOR_FLAT_WEIGHT, PRIOR_DESCENT_WEIGHT)
        matrix = [
            [self._xx[i][j] + (weights[i] if i == j else 0.0) for j in range(_N)] for i in range(_N)
        ]
        vector = [self._xy[i] + weights[i] * self.prior[i] for i in range(_N)]
        a, c, b = _solve(matrix, vector)
        self._fitted = (self.prior, (a, c, b))
        return (a, c, b)

    def loss(self, load: Load) -> float:
        """Seconds this group is expected to lose to the head over that road."""
        a, c, b = self.coefficients()
        return a * load.climb + c * load.flat + b * load.descent


def _solve(m: list[list[float]], v: list[float]) -> tuple[float, float, float]:
    """Solve the 3×3 system m·x = v by Cramer's rule (m is symmetric positive definite: the
    priors keep it well away from singular; a group is refitted whenever it learns)."""
    (a, b, c), (d, e, f), (g, h, i) = m
    p, q, r = v
    minor_ei_fh, minor_di_fg, minor_dh_eg = e * i - f * h, d * i - f * g, d * h - e * g
    det = a * minor_ei_fh - b * minor_di_fg + c * minor_dh_eg
    x = (p * minor_ei_fh - b * (q * i - f * r) + c * (q * h - e * r)) / det
    y = (a * (q * i - f * r) - p * minor_di_fg + c * (d * r - q * g)) / det
    z = (a * (e * r - q * h) - b * (d * r - q * g) + p * minor_dh_eg) / det
    return x, y, z
