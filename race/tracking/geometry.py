"""Geometry on the Earth: distances between fixes, and positions along the route from GPS fixes
(finer than the feed's km to go, in 10 m steps).

In a lead-out the wheels are 1-2 m apart; a feed rounding distances to 10 m cannot tell them
apart, but latitude and longitude (~0.1 m precision, a few metres of GPS noise) can, once
projected onto the route's polyline.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from race.models import ProfilePoint

KM_PER_DEGREE = 111.195
"""Length of a degree of latitude (and of longitude at the equator), in km."""
EARTH_RADIUS_KM = 6371.0
"""Mean radius of the Earth (the great-circle distance's)."""
SEARCH_KM = 0.3
"""Segments searched on either side of the rider's reported position."""
ON_ROUTE_KM = 0.15
"""A fix farther than this from the route is not on it: GPS noise is a few metres, a trace
simplified to a point every 50-100 m strays some tens of metres from the road, and a parallel
road (a service road, the other side of a valley) is further."""


def ground_km(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Straight-line distance between two fixes (equirectangular: exact enough within km)."""
    dy = (lat1 - lat0) * KM_PER_DEGREE
    dx = (lon1 - lon0) * KM_PER_DEGREE * math.cos(math.radians((lat0 + lat1) * 0.5))
    return math.hypot(dx, dy)


def haversine_km(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Great-circle distance between two points: for the length of a route, hundreds of km."""
    phi0, lam0, phi1, lam1 = map(math.radians, (lat0, lon0, lat1, lon1))
    h = (
        math.sin((phi1 - phi0) / 2) ** 2
        + math.cos(phi0) * math.cos(phi1) * math.sin((lam1 - lam0) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class RouteLine:
    """The route as a polyline of (km from start, lat, lon), for projecting fixes onto it."""

    def __init__(self, points: Sequence[ProfilePoint], distance_km: float) -> None:
        located = sorted(
            (p for p in points if p.lat is not None and p.lon is not None), key=lambda p: p.km
        )
        self.distance_km = distance_km
        self._km = [p.km for p in located]
        self._lat = [p.lat for p in located if p.lat is not None]
        self._lon = [p.lon for p in located if p.lon is not None]
        self.usable = len(self._km) >= 2
        mean_lat = sum(self._lat) / len(self._lat) if self._lat else 0.0
        self._kx = KM_PER_DEGREE * math.cos(math.radians(mean_lat))
        # Each segment once for all, in km on a local plane: (start x, start y, dx, dy,
        # 1 / squared length or 0, start km, length in km along the route).
        kx = self._kx
        self._segments = [
            (
                self._lon[i] * kx,
                self._lat[i] * KM_PER_DEGREE,
                dx := (self._lon[i + 1] - self._lon[i]) * kx,
                dy := (self._lat[i + 1] - self._lat[i]) * KM_PER_DEGREE,
                1.0 / (dx * dx + dy * dy) if dx or dy else 0.0,
                self._km[i],
                self._km[i + 1] - self._km[i],
            )
            for i in range(len(self._km) - 1)
        ]

    def point_at(self, km_to_finish: float) -> tuple[float, float] | None:
        """The route's (lat, lon) at `km_to_finish` (None off the route's ends)."""
        if not self.usable:
            return None
        km = self.distance_km - km_to_finish
        kms = self._km
        if not kms[0] <= km <= kms[-1]:
            return None
        i = min(max(bisect_right(kms, km) - 1, 0), len(kms) - 2)
        span = kms[i + 1] - kms[i]
        f = (km - kms[i]) / span if span > 0 else 0.0
        return (
            self._lat[i] + (self._lat[i + 1] - self._lat[i]) * f,
            self._lon[i] + (self._lon[i + 1] - self._lon[i]) * f,
        )

    @property
    def segments(self) -> list[Segment]:
        """Each segment on the local plane: (start x, start y, dx, dy, 1 / squared length or 0,
        start km, length in km along the route), in route order."""
        return self._segments

    @property
    def kms(self) -> list[float]:
        """Km from the start of the route's points, ascending (segment i starts at the i-th)."""
        return self._km

    @property
    def kx(self) -> float:
        """Km per degree of longitude on the route's local plane."""
        return self._kx

    def plane(self, lat: float, lon: float) -> tuple[float, float]:
        """A fix on the route's local plane, in km (x east, y north)."""
        return lon * self._kx, lat * KM_PER_DEGREE

    def nearest(self, x: float, y: float, from_km: float, to_km: float) -> tuple[float, float]:
        """The route's point nearest to (x, y) on the plane among the segments reaching between
        `from_km` and `to_km` from the start: (squared distance in km², km from the start);
        (inf, nan) when no segment reaches there."""
        kms = self._km
        lo = max(0, bisect_left(kms, from_km) - 1)
        hi = min(len(kms) - 1, bisect_right(kms, to_km))
        return nearest_on(x, y, self._segments, lo, hi)

    def km_to_finish(self, lat: float, lon: float, near_km_to_finish: float) -> float | None:
        """The rider's km to go, projected from his fix onto the route near where the feed puts
        him; None when the fix is off the route (farther than 100 m from it)."""
        if not self.usable:
            return None
        near = self.distance_km - near_km_to_finish
        x, y = self.plane(lat, lon)
        best_d2, best_km = self.nearest(x, y, near - SEARCH_KM, near + SEARCH_KM)
        if best_d2 > 0.1**2:
            return None
        return self.distance_km - best_km


Segment = tuple[float, float, float, float, float, float, float]
"""A route segment on the local plane (see `RouteLine.segments`)."""


def nearest_on(
    x: float, y: float, segments: Sequence[Segment], lo: int, hi: int
) -> tuple[float, float]:
    """The point nearest to (x, y) on `segments[lo:hi]`: (squared distance, km from the
    start); (inf, nan) when there are none. The projection's hot loop."""
    best_d2 = math.inf
    best_km = math.nan
    for x0, y0, dx, dy, inverse2, km0, dkm in segments[lo:hi]:
        ax, ay = x0 - x, y0 - y
        f = -(ax * dx + ay * dy) * inverse2
        if f < 0.0:
            f = 0.0
        elif f > 1.0:
            f = 1.0
        px, py = ax + dx * f, ay + dy * f
        d2 = px * px + py * py
        if d2 < best_d2:
            best_d2 = d2
            best_km = km0 + f * dkm
    return best_d2, best_km
