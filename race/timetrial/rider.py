"""A time triallist: a rider's track, and when he started."""

from __future__ import annotations

from dataclasses import dataclass, field

from race.tracking.tracks import RiderTrack


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
