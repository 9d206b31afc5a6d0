"""Which splits of a time trial can be compared, and the reference time a rider is timed against.

A gap is only worth showing when both sides of it were measured at the same point: the
provisional leader's split where the feed saw him pass (not extrapolated back from his first
fix: a leader first seen 4 km from the line has no split 1 km after the start), or else the
best time any other rider was seen to set there. A rider just out of the start house has no
gap yet either: his start is estimated, and over the first metres that estimate is most of
his time.
"""

from __future__ import annotations

from race.models import Bib
from race.timetrial.best import BestProfile
from race.tracking.trajectory import Trajectory

COMPARABLE_FROM_KM = 1.0
"""A rider is timed against the others from this much of the course: before it his estimated
start (a standing start at `race.timetrial.trial.START_KMH`, or his average speed) weighs more
than the road he rode."""
BASIS = (
    "each rider against the provisional leader's time at the same point (where the feed did "
    "not see the leader there, or before anyone has finished, the best time of any other "
    f"rider there), from {COMPARABLE_FROM_KM:g} km into the course; a leader who finished "
    "before the feed began is unknown; no groups or catches in a time trial"
)
"""How a time trial's gaps are found, shown with them."""


def leader_split(path: Trajectory, start_t: float, km_to_finish: float) -> float | None:
    """The provisional leader's elapsed time at `km_to_finish`, only where the feed saw him
    there (between his first fix and his last)."""
    first = path.first_km
    if first is None or km_to_finish > first:
        return None
    passed = path.passage_time(km_to_finish)
    return passed - start_t if passed is not None else None


def comparable_gap(
    elapsed_s: float,
    covered_km: float,
    leader: float | None,
    profile: BestProfile,
    bib: Bib,
    km_to_finish: float,
) -> float | None:
    """Time lost at `km_to_finish` on the provisional leader's split (`leader`), or where he
    was not seen there, on the best time any other rider set at that point; None when the
    rider has not covered `COMPARABLE_FROM_KM` or nobody's split there is known."""
    if covered_km < COMPARABLE_FROM_KM:
        return None
    reference = leader if leader is not None else profile.best_except(bib, km_to_finish)
    return elapsed_s - reference if reference is not None else None
