"""Passage-time gaps: trajectories of km to go over time, and when a point of the road was passed.

The gap of a rider is *now minus the time at which the head of the race passed the point where
the rider is now* (DESIGN.md, "Time gap"). Every rider's trajectory is kept (a few thousand
points a stage), so the head of the race can be whoever leads now: after a break is caught the
gaps are to the new head, as official timing gives them, not to the ghost of the break.

A trajectory is kept non-increasing in km to go, so the passage time of a point is one
bisection and one interpolation. Across a hole in the feed (a minute without frames, when the
head may have crested a climb and sped up) a straight line is a poor guess: a monotone cubic
through the speeds on either side of the hole follows the change of pace.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

HOLE_S = 10.0
"""Between points further apart than this (the feed's cadence is 5-6 s) the trajectory is
interpolated with a monotone cubic (Fritsch-Carlson) instead of a straight line."""
NEIGHBOUR_S = 15.0
"""A segment next to a hole gives the speed at the hole's edge only when it is this short."""
EARLY_SPAN_S = 60.0
"""Points before the first one are extrapolated at the speed of about this first stretch."""
EXTRAPOLATE_MIN_KMH = 15.0
EXTRAPOLATE_MAX_KMH = 100.0
"""Extrapolation back from the first point only at a racing speed between these bounds."""


class Trajectory:
    """Km to go of one rider (or of the head of the race) over time, never increasing.

    Points are appended in time order. A fix further from the finish than the previous one
    (GPS jitter of a few tens of metres) holds the previous distance.
    """

    __slots__ = ("_cubic", "_t", "_x")

    def __init__(self) -> None:
        self._t: list[float] = []
        self._x: list[float] = []  # negated km to go, so the list ascends for bisect
        self._cubic: dict[int, tuple[float, float, float, float, float, float]] = {}
        """Hermite coefficients of the segments across holes, by segment."""

    def __len__(self) -> int:
        return len(self._t)

    @property
    def last_t(self) -> float | None:
        return self._t[-1] if self._t else None

    @property
    def last_km(self) -> float | None:
        return -self._x[-1] if self._x else None

    @property
    def first_t(self) -> float | None:
        return self._t[0] if self._t else None

    @property
    def first_km(self) -> float | None:
        return -self._x[0] if self._x else None

    def add(self, t: float, km_to_finish: float) -> None:
        """Record the rider at `km_to_finish` at time `t`.

        A second point at the same instant (feeds split one instant into partial frames) can
        only move forward; an earlier time is ignored.
        """
        x = -km_to_finish
        ts = self._t
        xs = self._x
        if ts:
            if t <= ts[-1]:
                if t == ts[-1] and x > xs[-1]:
                    xs[-1] = x
                    if self._cubic:
                        self._forget_last()
                return
            if x < xs[-1]:
                x = xs[-1]
            if self._cubic:
                self._forget_last()
        ts.append(t)
        xs.append(x)

    def rewind(self, t: float, km_to_finish: float) -> None:
        """Record the rider at `km_to_finish` at `t` when the feed has moved him back for good
        (a resync, a ghost fix withdrawn): the points ahead of where he is now were wrong and
        are dropped, instead of pinning the trajectory on them."""
        self._truncate(bisect_right(self._x, -km_to_finish))
        self.add(t, km_to_finish)

    def cut_at(self, t: float) -> None:
        """Drop the points from time `t` on (to record them again, as they really were)."""
        self._truncate(bisect_left(self._t, t))

    def _truncate(self, keep: int) -> None:
        """Keep the first `keep` points only."""
        ts, xs = self._t, self._x
        if keep < len(ts):
            del ts[keep:], xs[keep:]
            self._cubic = {j: c for j, c in self._cubic.items() if j + 1 < keep - 1}

    def _forget_last(self) -> None:
        """The last segments' cubics depend on the last points: drop them when those change."""
        cubic = self._cubic
        if cubic:
            n = len(self._t)
            for j in (n - 3, n - 2, n - 1):
                cubic.pop(j, None)

    @property
    def columns(self) -> tuple[list[float], list[float]]:
        """The times and negated km to go, for callers that time many points at once."""
        return self._t, self._x

    def passage_time(self, km_to_finish: float, fallback_kmh: float | None = None) -> float | None:
        """When this trajectory passed the point `km_to_finish`; None if not yet.

        A point behind the first recorded position (a recording that starts after the real
        start) is extrapolated at the speed of the first stretch, or `fallback_kmh` when the
        trajectory is a single point.
        """
        xs = self._x
        n = len(xs)
        x = -km_to_finish
        if n == 0 or x > xs[-1]:
            return None
        j = bisect_right(xs, x) - 1
        ts = self._t
        if j < 0:
            return self._before_first(x, fallback_kmh)
        x0 = xs[j]
        if x0 == x or j == n - 1:
            return ts[j]  # Several points at this distance: the trajectory left it at the last.
        x1 = xs[j + 1]
        t0, t1 = ts[j], ts[j + 1]
        if t1 - t0 <= HOLE_S:
            return t0 + (t1 - t0) * (x - x0) / (x1 - x0)
        return self.across_hole(j, x)

    def _before_first(self, x: float, fallback_kmh: float | None) -> float | None:
        speed = self.early_speed_kmh()
        if speed is None or speed < EXTRAPOLATE_MIN_KMH:
            # A first stretch ridden this slowly (a start village, a stop) says nothing of
            # the pace before it: five-hour gaps come from extrapolating at walking pace.
            speed = fallback_kmh
        if speed is None or not EXTRAPOLATE_MIN_KMH <= speed <= EXTRAPOLATE_MAX_KMH:
            return None
        return self._t[0] - (self._x[0] - x) / speed * 3600.0

    def departure_time(self, km_to_finish: float) -> float | None:
        """When the trajectory left the point `km_to_finish` where it had been standing (the
        end of the neutralised start): its first moving fix taken back at the speed it then
        had, but not before its last fix still standing there."""
        xs, ts = self._x, self._t
        x = -km_to_finish
        j = bisect_right(xs, x)  # first point beyond it
        if j == 0 or j >= len(xs):
            return self.passage_time(km_to_finish)
        standing = ts[j - 1]
        k = min(len(ts) - 1, max(j + 1, bisect_left(ts, ts[j] + EARLY_SPAN_S)))
        if k <= j or ts[k] <= ts[j] or xs[k] <= xs[j]:
            return self.passage_time(km_to_finish)
        speed = (xs[k] - xs[j]) / (ts[k] - ts[j])  # km per second
        return max(standing, ts[j] - (xs[j] - x) / speed)

    def early_speed_kmh(self) -> float | None:
        """Average speed over the first `EARLY_SPAN_S` (or as much as there is)."""
        ts, xs = self._t, self._x
        if len(ts) < 2:
            return None
        j = min(len(ts) - 1, max(1, bisect_left(ts, ts[0] + EARLY_SPAN_S)))
        dt = ts[j] - ts[0]
        if dt <= 0 or xs[j] <= xs[0]:
            return None
        return (xs[j] - xs[0]) / dt * 3600.0

    def across_hole(self, j: int, x: float) -> float:
        """Monotone cubic Hermite interpolation of time over distance on segment j..j+1.

        The slopes (s/km, the inverse of speed) at both ends come from the short segments on
        either side when there are any, and are limited so that time never runs backwards.
        """
        coefficients = self._cubic.get(j)
        if coefficients is None:
            coefficients = self._hermite(j)
            self._cubic[j] = coefficients
        x0, h, t0, t1, d0, d1 = coefficients
        u = (x - x0) / h
        u2 = u * u
        u3 = u2 * u
        return (
            (2 * u3 - 3 * u2 + 1) * t0
            + (u3 - 2 * u2 + u) * d0
            + (-2 * u3 + 3 * u2) * t1
            + (u3 - u2) * d1
        )

    def _hermite(self, j: int) -> tuple[float, float, float, float, float, float]:
        ts, xs = self._t, self._x
        x0, x1 = xs[j], xs[j + 1]
        t0, t1 = ts[j], ts[j + 1]
        h = x1 - x0
        secant = (t1 - t0) / h
        m0 = m1 = secant
        if j >= 1 and t0 - ts[j - 1] <= NEIGHBOUR_S and x0 > xs[j - 1]:
            m0 = (t0 - ts[j - 1]) / (x0 - xs[j - 1])
        if j + 2 < len(ts) and ts[j + 2] - t1 <= NEIGHBOUR_S and xs[j + 2] > x1:
            m1 = (ts[j + 2] - t1) / (xs[j + 2] - x1)
        a, b = m0 / secant, m1 / secant
        s = a * a + b * b
        if s > 9.0:
            tau = 3.0 / math.sqrt(s)
            m0, m1 = tau * a * secant, tau * b * secant
        return x0, h, t0, t1, h * m0, h * m1

    def km_at(self, t: float) -> float | None:
        """Where the trajectory was at time `t` (None before it starts; its last point after)."""
        ts = self._t
        n = len(ts)
        if n == 0 or t < ts[0]:
            return None
        if t >= ts[-1]:
            return -self._x[-1]
        i = bisect_left(ts, t)
        if ts[i] == t:
            return -self._x[i]
        t0, t1 = ts[i - 1], ts[i]
        x0, x1 = self._x[i - 1], self._x[i]
        return -(x0 + (x1 - x0) * (t - t0) / (t1 - t0))

    def speed_kmh(self, window_s: float = 120.0) -> float | None:
        """Recent average speed over about `window_s` seconds."""
        ts = self._t
        n = len(ts)
        if n < 2:
            return None
        j = n - 1
        i = min(bisect_left(ts, ts[j] - window_s), j - 1)
        dt = ts[j] - ts[i]
        if dt <= 0:
            return None
        return (self._x[j] - self._x[i]) / dt * 3600.0

    def time_to_reach(self, km_to_finish: float, window_s: float = 20.0) -> float | None:
        """When the trajectory reaches `km_to_finish` ahead of its last point, at its recent
        speed (the finish of a rider whom the feed stops tracking before the line)."""
        last_t, last_km = self.last_t, self.last_km
        if last_t is None or last_km is None:
            return None
        if km_to_finish >= last_km:
            return self.passage_time(km_to_finish)
        speed = self.speed_kmh(window_s)
        if not speed or speed <= 1.0:
            return None
        return last_t + (last_km - km_to_finish) / speed * 3600.0
