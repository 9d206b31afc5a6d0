"""What a group loses to the head of the race on each kind of road, learned from its own gaps.

How much a group loses per km depends on the gradient: about a minute per km on a big climb
for a grupetto of sprinters (Degenkolb's rule of thumb), some of it regained on the descents, a
little on the flat. `LossModel` learns that relation for each group from its gap along the road
so far, and applies it to the climbs and descents still ahead (`race.timelimit.forecast.Load`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from race.timelimit.forecast import Load

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
