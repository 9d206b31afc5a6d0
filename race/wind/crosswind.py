"""Where the route turns across the wind: the road's heading every `STEP_KM` along the route
ahead of the head of the race, against the wind's direction. A crosswind is the wind within
`CROSS_WITHIN_DEG` of the road's perpendicular, from either side; the bunch then splits into
echelons when the wind is strong (the Tour's classic echelon days: 30-40 km/h of wind)."""

from __future__ import annotations

import math

from race.tracking.geometry import KM_PER_DEGREE, RouteLine
from race.wind.view import Crosswind, WindNow, compass

STEP_KM = 1.0
"""The road's heading is taken over each km: finer, a hairpin reads as a crosswind."""
AHEAD_KM = 60.0
"""How far ahead of the head the route is read: an hour and a half of racing at most."""
CROSS_WITHIN_DEG = 30.0
"""A wind within this of the road's perpendicular is across the road (sin ≥ 0.87)."""
STRONG_WIND_KMH = 25.0
"""A wind from this speed up splits a bunch on an exposed road (echelons are feared from
~30 km/h; gusts run above the mean the sensors give)."""
MIN_STRETCH_KM = 2.0
"""A crosswind for less road than this is a bend, not a stretch to fight for position on."""


def road_heading(route: RouteLine, from_km_to_go: float, to_km_to_go: float) -> float | None:
    """The road's heading from one point to another (degrees clockwise from north); None off
    the route's ends."""
    a, b = route.point_at(from_km_to_go), route.point_at(to_km_to_go)
    if a is None or b is None or a == b:
        return None
    dy = (b[0] - a[0]) * KM_PER_DEGREE
    dx = (b[1] - a[1]) * route.kx
    return math.degrees(math.atan2(dx, dy)) % 360


def across(wind_from: float, road: float) -> bool:
    """The wind blows across the road: within `CROSS_WITHIN_DEG` of its perpendicular."""
    angle = (wind_from - road) % 180
    return abs(angle - 90) <= CROSS_WITHIN_DEG


def crosswinds(route: RouteLine, head_km_to_go: float, wind: WindNow) -> tuple[Crosswind, ...]:
    """The stretches of the road ahead across the wind, nearest first; none under a wind below
    `STRONG_WIND_KMH` or of unknown direction."""
    if wind.from_deg is None or wind.speed_kmh is None or wind.speed_kmh < STRONG_WIND_KMH:
        return ()
    stretches: list[tuple[float, float]] = []
    start: float | None = None
    km = head_km_to_go
    end = max(0.0, head_km_to_go - AHEAD_KM)
    while km > end:
        nxt = max(end, km - STEP_KM)
        heading = road_heading(route, km, nxt)
        if heading is not None and across(wind.from_deg, heading):
            start = km if start is None else start
        elif start is not None:
            stretches.append((start, km))
            start = None
        km = nxt
    if start is not None:
        stretches.append((start, km))
    out = []
    for a, b in stretches:
        road = road_heading(route, a, b)
        if a - b < MIN_STRETCH_KM or road is None:
            continue
        basis = (
            f"wind {compass(wind.from_deg)} {wind.speed_kmh:.0f} km/h ({wind.basis}), road "
            f"heading {compass(road)} from {a:.0f} to {b:.0f} km to go: echelon risk"
        )
        out.append(
            Crosswind(
                from_km_to_go=round(a, 1), to_km_to_go=round(b, 1), road_deg=road, basis=basis
            )
        )
    return tuple(out)
