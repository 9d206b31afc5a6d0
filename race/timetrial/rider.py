"""A time triallist: a rider's track, and when he started."""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field

from race.tracking.tracks import RiderTrack

AVERAGE_FROM_KM = 0.5
"""The provider's average speed times a rider's start once he has covered this much (before,
it is not settled). The start is the median of the starts it gives at every fix: on the real
recordings a rider's average can shift by 10 s worth early on (his km to go corrected), and
the median follows what the average says over most of the course."""


@dataclass(slots=True, eq=False)
class TrialRider(RiderTrack):
    """A time triallist: a rider's track, and when he started."""

    start_t: float | None = None
    """His start: from the provider's average speed when it gives one, else from his first
    fix near the start line; None when neither is known (he cannot be timed)."""
    zone_start: float | None = None
    from_average: list[float] = field(default_factory=list)
    """Start times given by his average speed at each fix, sorted."""

    @property
    def elapsed_s(self) -> float | None:
        if self.finish_t is None or self.start_t is None:
            return None
        return self.finish_t - self.start_t

    def time_start(self, avg_kmh: float | None, covered_km: float, t: float) -> float | None:
        """His start from the provider's average speed at a fix `covered_km` into the course
        (see `AVERAGE_FROM_KM`); None when that fix cannot time it."""
        if not avg_kmh or avg_kmh <= 5.0 or covered_km < AVERAGE_FROM_KM:
            return None
        estimates = self.from_average
        insort(estimates, t - covered_km / avg_kmh * 3600.0)
        self.start_t = estimates[len(estimates) // 2]
        return self.start_t
