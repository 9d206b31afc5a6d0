"""The best times along a time trial's course: what each rider is timed against."""

from __future__ import annotations

from race.models import Bib
from race.tracking.trajectory import Trajectory

STEP_KM = 0.1
"""Resolution of the best-time profile along the course."""


class BestProfile:
    """The best and second-best elapsed time at every `STEP_KM` of the course."""

    def __init__(self, distance_km: float) -> None:
        self.distance_km = distance_km
        self.n = int(distance_km / STEP_KM) + 2
        inf = float("inf")
        self.best = [inf] * self.n
        self.best_bib: list[Bib | None] = [None] * self.n
        self.second = [inf] * self.n

    def index(self, km_to_finish: float) -> float:
        """Grid position (fractional) of a point, counted from the start."""
        return (self.distance_km - km_to_finish) / STEP_KM

    def record(self, bib: Bib, start_t: float, path: Trajectory, from_km: float) -> None:
        """Record a rider's times at the grid points he passed since `from_km`."""
        to_km = path.last_km
        if to_km is None:
            return
        lo = max(0, int(self.index(from_km)) + 1)
        hi = min(self.n - 1, int(self.index(to_km)))
        for i in range(lo, hi + 1):
            passed = path.passage_time(self.distance_km - i * STEP_KM)
            if passed is None:
                continue
            elapsed = passed - start_t
            if elapsed < self.best[i]:
                if self.best_bib[i] != bib:
                    self.second[i] = self.best[i]
                self.best[i], self.best_bib[i] = elapsed, bib
            elif self.best_bib[i] != bib and elapsed < self.second[i]:
                self.second[i] = elapsed

    def best_except(self, bib: Bib, km_to_finish: float) -> float | None:
        """The best elapsed time of any other rider at this point (interpolated)."""
        x = self.index(km_to_finish)
        i = int(x)
        if i < 0 or i + 1 >= self.n:
            return None
        a = self.second[i] if self.best_bib[i] == bib else self.best[i]
        b = self.second[i + 1] if self.best_bib[i + 1] == bib else self.best[i + 1]
        if a == float("inf") or b == float("inf"):
            return None
        return a + (b - a) * (x - i)
