"""The engine's own outputs, checked: numbers no race can produce mean the engine is lost
(a feed fault nobody foresaw), and the user must be told rather than shown them as facts."""

from __future__ import annotations

from math import isfinite
from statistics import median

from race.models import Climb, ProfilePoint, Stage
from race.situation import TimeLimit
from race.tracking.tracks import KM_MAX, RACING_KMH, Placed, usable_fix

FASTEST_KMH = 60.0
"""No road stage is won faster: the Tour's fastest road stage was ridden at 50.4 km/h
(M. Cipollini, Laval › Blois, 1999)."""
LONGEST_S = 12 * 3600.0
"""No stage lasts longer than this from its real start to the winner's line."""
STANDING_KMH = 5.0
"""A head of the race below this while most riders ride above `RACING_KMH` is not the head of
this race."""


def implausible(
    *,
    racing: bool,
    winner_finished: bool,
    race_time_s: float | None,
    covered_km: float | None,
    head_speed_kmh: float | None,
    road: list[Placed],
    time_limit: TimeLimit,
) -> tuple[str, ...]:
    """Why the situation cannot be right, in the user's words (empty: nothing seen)."""
    reasons: list[str] = []
    if race_time_s and covered_km is not None and covered_km > 0.5:
        average = covered_km / race_time_s * 3600.0
        if average > FASTEST_KMH:
            reasons.append(f"head's average since the start {average:.0f} km/h")
    speed = time_limit.winner_speed_kmh
    if speed is not None and speed > FASTEST_KMH:
        what = "winner's speed" if winner_finished else "winner's projected speed"
        reasons.append(f"{what} {speed:.0f} km/h")
    if race_time_s is not None and race_time_s > LONGEST_S and not winner_finished:
        reasons.append(f"race time {race_time_s / 3600:.0f} h")
    if (
        racing
        and not winner_finished
        and head_speed_kmh is not None
        and head_speed_kmh < STANDING_KMH  # checked first: the riders' speeds only then
    ):
        speeds = [track.speed for _, _, _, track in road if track.speed is not None]
        riding = median(speeds) if speeds else 0.0
        if riding > RACING_KMH:
            reasons.append(
                f"head of the race at {head_speed_kmh:.0f} km/h while riders ride at "
                f"{riding:.0f} km/h"
            )
    return tuple(reasons)


ALTITUDE_M = (-500.0, 9000.0)
"""No road lies outside these altitudes."""


def sound_stage(stage: Stage) -> Stage:
    """The stage with the route points, climbs and scheduled start a feed got wrong (NaN,
    infinite, absurd) left out: the route is read point by point, and one infinite km once
    asked for a profile of 1e30 points."""
    profile = tuple(p for p in stage.profile if _sound_point(p))
    located = tuple(
        p
        if p.lat is None or usable_fix(p.lat, p.lon)
        else p.model_copy(update={"lat": None, "lon": None})
        for p in profile
    )
    climbs = tuple(c for c in stage.climbs if _sound_climb(c))
    start = stage.scheduled_start
    if start is not None and not isfinite(start):
        start = None
    if located == stage.profile and climbs == stage.climbs and start == stage.scheduled_start:
        return stage
    return stage.model_copy(update={"profile": located, "climbs": climbs, "scheduled_start": start})


def _sound_point(point: ProfilePoint) -> bool:
    low, high = ALTITUDE_M
    # Negative km are real: the neutralised stretch before km 0 is part of the route.
    return -KM_MAX <= point.km <= KM_MAX and low <= point.altitude_m <= high


def _sound_climb(climb: Climb) -> bool:
    return -KM_MAX <= climb.summit_km <= KM_MAX and all(
        value is None or isfinite(value) for value in (climb.length_km, climb.gradient_pct)
    )
