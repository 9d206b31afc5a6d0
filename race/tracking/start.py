"""The real start: when the head of the race passed km 0, and how that was found."""

from __future__ import annotations

from typing import NamedTuple

from race.models import Stage
from race.tracking.stops import Stops
from race.tracking.trajectory import Trajectory
from race.wording import signed_clock

START_EXTRAPOLATE_MAX_KM = 10.0
"""A feed that begins after the real start is extrapolated back to km 0 over at most this
much road; further than that, the scheduled start (when the feed gives it) is used."""


def start_time(head: Trajectory, stage: Stage | None) -> tuple[float | None, str]:
    """The real start (UNIX s), when the head of the race passed km 0, and its basis.

    Seen when the feed covers it (the end of the neutralised stretch, where every rider sits
    at the full distance); extrapolated at the head's first speed when the feed begins a
    little after it; the scheduled start when it begins far into the stage.
    """
    if stage is None or head.first_km is None or head.last_km is None:
        return None, ""
    distance = stage.distance_km
    if head.last_km >= distance:
        return None, "neutralised start"
    first_km = head.first_km
    scheduled = stage.scheduled_start
    if first_km >= distance - 0.005:
        seen = head.departure_time(distance)
        return seen, "seen" if seen is not None else ""
    over = distance - first_km
    if over > START_EXTRAPOLATE_MAX_KM and scheduled is not None:
        return scheduled, f"scheduled (the feed begins {over:.0f} km in)"
    extrapolated = head.passage_time(distance)
    if extrapolated is None:
        if scheduled is not None:
            return scheduled, "scheduled"
        return None, ""
    basis = f"extrapolated over {over:.1f} km"
    if scheduled is not None:
        basis += f" ({signed_clock(extrapolated - scheduled)} on the scheduled start)"
    return extrapolated, basis


class RaceClock(NamedTuple):
    """The race's clock at one instant: the real start and its basis, the race time, and the
    winner's time once he has finished (both without the time the race stood)."""

    start_t: float | None
    basis: str
    race_time_s: float | None
    winner_time_s: float | None


def race_clock(
    head: Trajectory, stage: Stage | None, stops: Stops, t: float, winner_t: float | None
) -> RaceClock:
    """The race's clock at `t`, the winner (if any) across the line at `winner_t`."""
    start_t, basis = start_time(head, stage)
    if start_t is None:
        return RaceClock(None, basis, None, None)
    race_time = stops.raced_s(start_t, t) if t >= start_t else None
    winner_time = stops.raced_s(start_t, winner_t) if winner_t else None
    return RaceClock(start_t, basis, race_time, winner_time)
