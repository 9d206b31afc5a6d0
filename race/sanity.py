"""The engine's own outputs, checked: numbers no race can produce mean the engine is lost
(a feed fault nobody foresaw), and the user must be told rather than shown them as facts."""

from __future__ import annotations

from statistics import median

from race.situation import TimeLimit
from race.tracking.tracks import Placed

FASTEST_KMH = 60.0
"""No road stage is won faster: the Tour's fastest road stage was ridden at 50.4 km/h
(M. Cipollini, Laval › Blois, 1999)."""
LONGEST_S = 12 * 3600.0
"""No stage lasts longer than this from its real start to the winner's line."""
STANDING_KMH = 5.0
MOVING_KMH = 15.0
"""A head of the race below `STANDING_KMH` while most riders ride above `MOVING_KMH` is not
the head of this race."""


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
    if racing and not winner_finished and head_speed_kmh is not None and road:
        speeds = [track.speed for _, _, _, track in road if track.speed is not None]
        if speeds and head_speed_kmh < STANDING_KMH and median(speeds) > MOVING_KMH:
            reasons.append(
                f"head of the race at {head_speed_kmh:.0f} km/h while riders ride at "
                f"{median(speeds):.0f} km/h"
            )
    return tuple(reasons)
