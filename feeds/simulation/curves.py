"""Gap curves: a group's passage-time gap to the head of the race, as a function of where it is.

A group that passes km x at `head_time(x) + gap(x)` has, by construction, exactly the gap that
official timing (and the Race Center's `secToFirstRider`) would give it there. Scripting the
gap against the group's own position also puts the losses where they happen: on the climbs.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feeds.simulation.route import Route

STOP_KM = 0.03
"""A stop (crash, wheel change) is scripted as the gap jumping over 30 m of road."""

Weight = Callable[[float], float]
"""How much of a scripted time loss falls on a km, from its gradient in %."""


def uphill(grad: float) -> float:
    """Losses on the climbs, steeper ramps costing more (Degenkolb: ~1 min per km on a big one)."""
    return max(grad - 1.0, 0.0) + 0.02


def flat(grad: float) -> float:
    """Evenly spread, whatever the terrain."""
    return 1.0


def terrain(grad: float) -> float:
    """A group of riders dropped by a faster one: loses most uphill, a little on the flat."""
    if grad > 2.0:
        return (grad / 7.0) ** 2 * 3.0
    if grad < -2.0:
        return 0.08
    return 0.25


@dataclass(frozen=True)
class GapCurve:
    """Piecewise-linear gap (s) against km from the start; constant beyond its ends."""

    xs: tuple[float, ...]
    gs: tuple[float, ...]

    def __call__(self, x: float) -> float:
        xs = self.xs
        if x <= xs[0]:
            return self.gs[0]
        if x >= xs[-1]:
            return self.gs[-1]
        i = bisect.bisect_right(xs, x) - 1
        x1, x2 = xs[i], xs[i + 1]
        return self.gs[i] + (self.gs[i + 1] - self.gs[i]) * (x - x1) / (x2 - x1)

    def sample(self, kms: Sequence[float]) -> list[float]:
        """Values at increasing `kms`, in one pass."""
        xs, gs = self.xs, self.gs
        out = []
        j = 0
        last = len(xs) - 1
        for x in kms:
            if x <= xs[0]:
                out.append(gs[0])
                continue
            if x >= xs[last]:
                out.append(gs[last])
                continue
            while xs[j + 1] < x:
                j += 1
            out.append(gs[j] + (gs[j + 1] - gs[j]) * (x - xs[j]) / (xs[j + 1] - xs[j]))
        return out

    def max_between(self, a: float, b: float) -> tuple[float, float]:
        """(km, gap) of the largest gap between km a and b."""
        candidates = [a, b, *[x for x in self.xs if a < x < b]]
        return max(((x, self(x)) for x in candidates), key=lambda p: p[1])


class CurveBuilder:
    """Build a gap curve segment by segment, from a starting (km, gap)."""

    def __init__(self, route: Route, km: float, gap: float) -> None:
        self.route = route
        self.xs = [km]
        self.gs = [gap]

    @property
    def km(self) -> float:
        return self.xs[-1]

    @property
    def gap(self) -> float:
        return self.gs[-1]

    def to(self, km: float, gap: float) -> CurveBuilder:
        """Straight to `gap` at `km`."""
        if km <= self.km:
            raise ValueError(f"curve goes back: {km} after {self.km}")
        self.xs.append(km)
        self.gs.append(gap)
        return self

    def by(
        self,
        km: float,
        delta: float,
        weight: Weight = flat,
        every: float = 0.5,
    ) -> CurveBuilder:
        """Change the gap by `delta` s up to `km`, spread along the road by `weight`."""
        start, gap0 = self.km, self.gap
        if km <= start:
            raise ValueError(f"curve goes back: {km} after {start}")
        fine = 0.1
        n = max(round((km - start) / fine), 1)
        cum = [0.0]
        for k in range(n):
            mid = start + (k + 0.5) * (km - start) / n
            cum.append(cum[-1] + weight(self.route.gradient_at(mid)))
        total = cum[-1] or 1.0
        stride = max(round(every / fine), 1)
        for k in [*list(range(stride, n, stride)), n]:
            self.to(start + k * (km - start) / n, gap0 + delta * cum[k] / total)
        return self

    def ride(self, km: float, rate: Callable[[float], float], every: float = 0.5) -> CurveBuilder:
        """Ride to `km` losing `rate(gradient)` seconds per km to the head (negative: gaining).

        Unlike `by`, the change is not fixed in advance: it is what the pace gives on this road.
        """
        start = self.km
        if km <= start:
            raise ValueError(f"curve goes back: {km} after {start}")
        fine = 0.1
        n = max(round((km - start) / fine), 1)
        stride = max(round(every / fine), 1)
        gap = self.gap
        for k in range(1, n + 1):
            a, b = start + (k - 1) * (km - start) / n, start + k * (km - start) / n
            gap += rate(self.route.gradient_at((a + b) / 2)) * (b - a)
            if k % stride == 0 or k == n:
                self.to(b, gap)
        return self

    def hold(self, km: float) -> CurveBuilder:
        return self.to(km, self.gap)

    def follow(self, other: GapCurve) -> CurveBuilder:
        """Continue along another group's curve (after joining it)."""
        for x, g in zip(other.xs, other.gs, strict=True):
            if x > self.km + 1e-9:
                self.to(x, g)
        return self

    def build(self) -> GapCurve:
        return GapCurve(tuple(self.xs), tuple(self.gs))


def branch(
    route: Route,
    parent: GapCurve,
    km: float,
    extra: float,
    weight: Weight,
    until: float,
    every: float = 0.5,
    stop_s: float = 0.0,
) -> GapCurve:
    """A group that leaves `parent` at `km` and has lost `extra` s more than it by `until`
    (plus `stop_s` standing still at `km`: a crash, a wheel change), then rides with its pace."""
    lead = km + STOP_KM if stop_s > 0 else km
    kms = sorted(
        {
            *(x for x in parent.xs if lead < x < until),
            *(lead + k * every for k in range(1, int((until - lead) / every) + 1)),
            until,
        }
    )
    fine = 0.1
    marks = [lead]
    cum = [0.0]
    for x in kms:
        n = max(round((x - marks[-1]) / fine), 1)
        acc = cum[-1]
        for k in range(n):
            mid = marks[-1] + (k + 0.5) * (x - marks[-1]) / n
            acc += weight(route.gradient_at(mid)) * (x - marks[-1]) / n
        marks.append(x)
        cum.append(acc)
    total = cum[-1] or 1.0
    xs = [km] if stop_s > 0 else []
    gs = [parent(km)] if stop_s > 0 else []
    xs += marks
    gs += [parent(x) + stop_s + extra * c / total for x, c in zip(marks, cum, strict=True)]
    return GapCurve(tuple(xs), tuple(gs))
