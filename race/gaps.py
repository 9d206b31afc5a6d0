"""Passage-time gaps: the head of the race's trajectory and the time it passed any point.

The gap of a rider is *now minus the time at which the head of the race passed the point where
the rider is now* (DESIGN.md, "Time gap"). The head's trajectory is kept as km-to-finish over
time, non-increasing, so the passage time of any point is one bisection and one interpolation.
"""

from __future__ import annotations

from bisect import bisect_left


class HeadTrack:
    """The head of the race's distance to the finish over time.

    Points are appended in time order. Distances never increase: when the front-most rider
    is lost (untracked, GPS glitch) the track holds its last distance instead of moving back.
    """

    def __init__(self) -> None:
        self._t: list[float] = []
        self._neg_km: list[float] = []  # negated, so the list is ascending for bisect

    def __len__(self) -> int:
        return len(self._t)

    @property
    def last_t(self) -> float | None:
        return self._t[-1] if self._t else None

    @property
    def last_km(self) -> float | None:
        return -self._neg_km[-1] if self._neg_km else None

    @property
    def first_km(self) -> float | None:
        return -self._neg_km[0] if self._neg_km else None

    def add(self, t: float, km_to_finish: float) -> None:
        """Record the head at `km_to_finish` at time `t`.

        A second frame at the same instant (feeds split one instant into partial frames) can
        only move the head forward; an earlier time is ignored.
        """
        neg = -km_to_finish
        if self._t and t <= self._t[-1]:
            if t == self._t[-1] and neg > self._neg_km[-1]:
                self._neg_km[-1] = neg
            return
        if self._neg_km and neg < self._neg_km[-1]:
            neg = self._neg_km[-1]
        self._t.append(t)
        self._neg_km.append(neg)

    def passage_time(self, km_to_finish: float) -> float | None:
        """When the head passed the point `km_to_finish`; None if it has not passed it yet.

        Points behind the first recorded position are extrapolated at the head's initial
        speed (a recording that starts after the real start).
        """
        neg = -km_to_finish
        n = len(self._neg_km)
        if n == 0 or neg > self._neg_km[-1]:
            return None
        i = bisect_left(self._neg_km, neg)
        if i == 0:
            if neg == self._neg_km[0]:
                # Several points may share this distance (the neutral zone): the head left
                # it at the last of them.
                j = bisect_left(self._neg_km, neg + 1e-9) - 1
                return self._t[j]
            return self._extrapolate_before_first(neg)
        x0, x1 = self._neg_km[i - 1], self._neg_km[i]
        t0, t1 = self._t[i - 1], self._t[i]
        return t0 + (t1 - t0) * (neg - x0) / (x1 - x0)

    def _extrapolate_before_first(self, neg: float) -> float | None:
        speed = self.speed_between(0, min(len(self._t) - 1, 10))
        if not speed:
            return None
        return self._t[0] - (self._neg_km[0] - neg) / speed * 3600.0

    def gap(self, t: float, km_to_finish: float) -> float | None:
        """Passage-time gap of a rider at `km_to_finish` at time `t`."""
        passed = self.passage_time(km_to_finish)
        if passed is None:
            return None
        return max(0.0, t - passed)

    def speed_between(self, i: int, j: int) -> float | None:
        """Average speed (km/h) of the head between track points i and j."""
        if j <= i or j >= len(self._t):
            return None
        dt = self._t[j] - self._t[i]
        if dt <= 0:
            return None
        return (self._neg_km[j] - self._neg_km[i]) / dt * 3600.0

    def speed_kmh(self, window_s: float = 120.0) -> float | None:
        """The head's recent average speed over about `window_s` seconds."""
        if len(self._t) < 2:
            return None
        j = len(self._t) - 1
        i = bisect_left(self._t, self._t[j] - window_s)
        return self.speed_between(min(i, j - 1), j)

    def km_at(self, t: float) -> float | None:
        """Where the head was at time `t` (None before the track starts)."""
        n = len(self._t)
        if n == 0 or t < self._t[0]:
            return None
        if t >= self._t[-1]:
            return -self._neg_km[-1]
        i = bisect_left(self._t, t)
        if self._t[i] == t:
            return -self._neg_km[i]
        t0, t1 = self._t[i - 1], self._t[i]
        x0, x1 = self._neg_km[i - 1], self._neg_km[i]
        return -(x0 + (x1 - x0) * (t - t0) / (t1 - t0))
