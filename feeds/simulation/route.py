"""A synthetic but smooth route: a lat/lon polyline through real towns, and an altitude profile.

The route is sampled on a regular grid of `STEP_KM` of distance, from the start of the neutralised
section (negative km) to a little past the line, so that every rider position is a cheap lookup.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from race.models import Climb, ProfilePoint, Sprint
from race.tracking.geometry import KM_PER_DEGREE

STEP_KM = 0.05
"""Grid step: 50 m keeps linear interpolation of positions and passage times exact to the cm."""


AFTER_LINE_KM = 1.5
"""Road past the finish line, where riders roll out (and where a strung-out group still moves)."""


@dataclass(frozen=True)
class ClimbSpec:
    """A categorised climb of the script: where it starts and ends on the route."""

    name: str
    category: str
    foot_km: float
    summit_km: float


@dataclass(frozen=True)
class RouteSpec:
    """Everything that defines a route: towns to pass, total distance and the relief."""

    distance_km: float
    waypoints: tuple[tuple[float, float], ...]
    """(lat, lon) of the towns the road passes through, start first, finish last."""
    altitude: tuple[tuple[float, float], ...]
    """(km, metres) key points of the relief, smoothed into the profile."""
    climbs: tuple[ClimbSpec, ...]
    neutral_km: float
    """Length of the neutralised section before km 0."""
    rolling_m: float = 8.0
    """Amplitude of the small undulations added outside the climbs."""
    flat_finish_km: float = 0.0
    """No undulation in this many final km (a flat run-in for a sprint)."""
    wiggle_km: tuple[float, float] = (7.3, 3.1)
    """Wavelengths of the bends that make the road longer than the line between the towns."""
    sprints: tuple[tuple[str, int], ...] = ()
    """The intermediate sprints: (town, index of its waypoint); placed where the road passes
    nearest to the town."""


@dataclass(frozen=True)
class Route:
    """The route on a regular grid: index i is at km `x0 + i * step` from the start (km 0)."""

    spec: RouteSpec
    x0: float
    step: float
    lat: tuple[float, ...]
    lon: tuple[float, ...]
    alt: tuple[float, ...]
    grad: tuple[float, ...]
    """Gradient in %, rounded to 0.1 like the real feed."""

    @property
    def distance_km(self) -> float:
        return self.spec.distance_km

    @property
    def size(self) -> int:
        return len(self.lat)

    def index(self, km: float) -> int:
        """Grid index at or just before `km` (clamped to the grid)."""
        return min(max(int((km - self.x0) / self.step), 0), self.size - 2)

    def km_at(self, i: int) -> float:
        return self.x0 + i * self.step

    def altitude_at(self, km: float) -> float:
        i = self.index(km)
        f = (km - self.km_at(i)) / self.step
        return self.alt[i] + (self.alt[i + 1] - self.alt[i]) * f

    def gradient_at(self, km: float) -> float:
        return self.grad[self.index(km)]

    def point_at(self, km: float) -> tuple[float, float]:
        """(lat, lon) on the road at `km` from the start."""
        i = self.index(km)
        f = (km - self.km_at(i)) / self.step
        return (
            self.lat[i] + (self.lat[i + 1] - self.lat[i]) * f,
            self.lon[i] + (self.lon[i + 1] - self.lon[i]) * f,
        )

    def profile(self, every_km: float = 0.5) -> tuple[ProfilePoint, ...]:
        """The roadbook profile: a point every `every_km` from km 0 to the line."""
        count = int(self.distance_km / every_km + 1e-9)
        kms = [round(k * every_km, 3) for k in range(count + 1)]
        if kms[-1] < self.distance_km:
            kms.append(self.distance_km)
        points = []
        for km in kms:
            lat, lon = self.point_at(km)
            points.append(
                ProfilePoint(
                    km=km,
                    altitude_m=round(self.altitude_at(km), 1),
                    lat=round(lat, 6),
                    lon=round(lon, 6),
                )
            )
        return tuple(points)

    def sprints(self) -> tuple[Sprint, ...]:
        """The intermediate sprints, each where the road passes nearest to its town."""
        out = []
        for name, waypoint in self.spec.sprints:
            lat, lon = self.spec.waypoints[waypoint]
            i = min(
                range(len(self.lat)),
                key=lambda j: (self.lat[j] - lat) ** 2 + (self.lon[j] - lon) ** 2,
            )
            km = min(max(self.x0 + i * self.step, 0.0), self.distance_km)
            out.append(Sprint(name=name, km=round(km, 1)))
        return tuple(out)

    def climbs(self) -> tuple[Climb, ...]:
        """The categorised climbs, their length and mean gradient measured on the profile."""
        out = []
        for c in self.spec.climbs:
            length = c.summit_km - c.foot_km
            rise = self.altitude_at(c.summit_km) - self.altitude_at(c.foot_km)
            out.append(
                Climb(
                    name=c.name,
                    summit_km=c.summit_km,
                    length_km=round(length, 1),
                    gradient_pct=round(rise / length / 10, 1),
                    category=c.category,
                )
            )
        return tuple(out)

    def locate(
        self, lat: float, lon: float, near_km: float | None = None, window_km: float = 3.0
    ) -> float:
        """Km from the start of the road point nearest to (lat, lon): projects a position back
        onto the route (searching `window_km` around `near_km` when given)."""
        if near_km is None:
            lo, hi = 0, self.size - 1
        else:
            lo = self.index(near_km - window_km)
            hi = min(self.index(near_km + window_km) + 1, self.size - 1)
        kx = KM_PER_DEGREE * math.cos(math.radians(lat))
        best = (math.inf, 0.0)
        for i in range(lo, hi):
            ax, ay = (self.lon[i] - lon) * kx, (self.lat[i] - lat) * KM_PER_DEGREE
            bx, by = (self.lon[i + 1] - lon) * kx, (self.lat[i + 1] - lat) * KM_PER_DEGREE
            dx, dy = bx - ax, by - ay
            seg = dx * dx + dy * dy
            f = 0.0 if seg == 0 else min(max(-(ax * dx + ay * dy) / seg, 0.0), 1.0)
            px, py = ax + dx * f, ay + dy * f
            dist = px * px + py * py
            if dist < best[0]:
                best = (dist, self.km_at(i) + f * self.step)
        return best[1]


def build_route(spec: RouteSpec) -> Route:
    """Lay the road through the waypoints, bend it to the stage's distance, and add the relief."""
    lat0 = sum(p[0] for p in spec.waypoints) / len(spec.waypoints)
    kx = KM_PER_DEGREE * math.cos(math.radians(lat0))
    plane = [
        ((lon - spec.waypoints[0][1]) * kx, (lat - spec.waypoints[0][0]) * KM_PER_DEGREE)
        for lat, lon in spec.waypoints
    ]
    base = _resample(_catmull_rom(plane), 0.1)
    road = _bend_to_length(base, spec.distance_km, spec.wiggle_km)
    grid_xy = _grid(road, spec.distance_km, spec.neutral_km + 0.8)
    x0 = -round((spec.neutral_km + 0.8) / STEP_KM) * STEP_KM
    lat = tuple(spec.waypoints[0][0] + y / KM_PER_DEGREE for _, y in grid_xy)
    lon = tuple(spec.waypoints[0][1] + x / kx for x, _ in grid_xy)
    kms = [x0 + i * STEP_KM for i in range(len(grid_xy))]
    alt = _relief(spec, kms)
    grad = []
    for i in range(len(alt)):
        a, b = max(i - 2, 0), min(i + 2, len(alt) - 1)
        grad.append(round((alt[b] - alt[a]) / ((b - a) * STEP_KM * 1000) * 100, 1))
    return Route(spec=spec, x0=x0, step=STEP_KM, lat=lat, lon=lon, alt=tuple(alt), grad=tuple(grad))


Point = tuple[float, float]


def _catmull_rom(points: Sequence[Point], per_segment: int = 40) -> list[Point]:
    """A smooth curve through every waypoint (uniform Catmull-Rom spline)."""
    ext = [points[0], *points, points[-1]]
    out: list[Point] = []
    for k in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[k - 1], ext[k], ext[k + 1], ext[k + 2]
        for j in range(per_segment):
            t = j / per_segment
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[c]
                        + (-p0[c] + p2[c]) * t
                        + (2 * p0[c] - 5 * p1[c] + 4 * p2[c] - p3[c]) * t2
                        + (-p0[c] + 3 * p1[c] - 3 * p2[c] + p3[c]) * t3
                    )
                    for c in (0, 1)
                )
            )
    out.append(points[-1])
    return out


def _lengths(points: Sequence[Point]) -> list[float]:
    acc = [0.0]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        acc.append(acc[-1] + math.hypot(bx - ax, by - ay))
    return acc


def _resample(points: Sequence[Point], step: float) -> list[Point]:
    """Points every `step` km of arc length along a polyline."""
    acc = _lengths(points)
    total = acc[-1]
    count = max(int(total / step), 1)
    out = []
    j = 0
    for k in range(count + 1):
        s = total * k / count
        while j < len(acc) - 2 and acc[j + 1] < s:
            j += 1
        seg = acc[j + 1] - acc[j]
        f = 0.0 if seg == 0 else (s - acc[j]) / seg
        (ax, ay), (bx, by) = points[j], points[j + 1]
        out.append((ax + (bx - ax) * f, ay + (by - ay) * f))
    return out


def _bend(base: Sequence[Point], amplitude: float, wavelengths: tuple[float, float]) -> list[Point]:
    """Offset the road sideways by smooth bends, none at the start and finish towns."""
    acc = _lengths(base)
    total = acc[-1]
    l1, l2 = wavelengths
    out = []
    for i, (x, y) in enumerate(base):
        a, b = base[max(i - 1, 0)], base[min(i + 1, len(base) - 1)]
        tx, ty = b[0] - a[0], b[1] - a[1]
        norm = math.hypot(tx, ty) or 1.0
        s = acc[i]
        taper = min(1.0, s / 3.0, (total - s) / 3.0)
        taper = taper * taper * (3 - 2 * taper)
        off = (
            amplitude
            * taper
            * (math.sin(2 * math.pi * s / l1) + 0.6 * math.sin(2 * math.pi * s / l2 + 1.3))
        )
        out.append((x - ty / norm * off, y + tx / norm * off))
    return out


def _bend_to_length(
    base: Sequence[Point], distance_km: float, wavelengths: tuple[float, float]
) -> list[Point]:
    """Find the bend amplitude that makes the road exactly as long as the stage (secant method)."""

    def length(a: float) -> float:
        return _lengths(_bend(base, a, wavelengths))[-1]

    a0, l0 = 0.0, length(0.0)
    if l0 >= distance_km:
        raise ValueError(f"waypoints already span {l0:.1f} km, more than {distance_km} km")
    a1, l1 = 1.0, length(1.0)
    for _ in range(30):
        if abs(l1 - distance_km) < 1e-4 or l1 == l0:
            break
        a0, a1 = a1, a1 + (distance_km - l1) * (a1 - a0) / (l1 - l0)
        l0, l1 = l1, length(a1)
    return _bend(base, a1, wavelengths)


def _grid(road: Sequence[Point], distance_km: float, before_km: float) -> list[Point]:
    """Sample the road every STEP_KM, scaled to the exact distance, extended straight before the
    start (the neutralised section) and after the line."""
    acc = _lengths(road)
    scale = acc[-1] / distance_km
    n_before = round(before_km / STEP_KM)
    n_race = round(distance_km / STEP_KM)
    n_after = round(AFTER_LINE_KM / STEP_KM)
    (sx, sy), (s2x, s2y) = road[0], road[min(5, len(road) - 1)]
    (ex, ey), (e2x, e2y) = road[-1], road[max(len(road) - 6, 0)]
    sn = math.hypot(s2x - sx, s2y - sy) or 1.0
    en = math.hypot(ex - e2x, ey - e2y) or 1.0
    out: list[Point] = []
    for k in range(-n_before, n_race + n_after + 1):
        km = k * STEP_KM
        if km < 0:
            out.append((sx + (sx - s2x) / sn * -km, sy + (sy - s2y) / sn * -km))
        elif km > distance_km:
            d = km - distance_km
            out.append((ex + (ex - e2x) / en * d, ey + (ey - e2y) / en * d))
        else:
            out.append(_along(road, acc, km * scale))
    return out


def _along(road: Sequence[Point], acc: Sequence[float], s: float) -> Point:
    lo, hi = 0, len(acc) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if acc[mid] <= s:
            lo = mid
        else:
            hi = mid
    seg = acc[hi] - acc[lo]
    f = 0.0 if seg == 0 else (s - acc[lo]) / seg
    (ax, ay), (bx, by) = road[lo], road[hi]
    return (ax + (bx - ax) * f, ay + (by - ay) * f)


def _relief(spec: RouteSpec, kms: Sequence[float]) -> list[float]:
    """Altitude at each grid km: key points joined by straight lines, undulations outside the
    climbs, a few ramps inside them, then smoothed so that the gradient has no corners."""
    keys = sorted(spec.altitude)
    raw = []
    j = 0
    for km in kms:
        x = min(max(km, 0.0), spec.distance_km)
        while j < len(keys) - 2 and keys[j + 1][0] <= x:
            j += 1
        (ka, aa), (kb, ab) = keys[j], keys[j + 1]
        a = aa + (ab - aa) * (x - ka) / (kb - ka)
        climb = next((c for c in spec.climbs if c.foot_km <= x <= c.summit_km), None)
        if climb is not None:
            u = (x - climb.foot_km) / (climb.summit_km - climb.foot_km)
            a += 14.0 * math.sin(math.pi * u) * math.sin(2 * math.pi * u * 3.0)
        elif x < spec.distance_km - spec.flat_finish_km:
            near = min(
                (min(abs(x - c.foot_km), abs(x - c.summit_km)) for c in spec.climbs), default=99.0
            )
            fade = min(1.0, near / 2.0)
            a += (
                spec.rolling_m
                * fade
                * (math.sin(2 * math.pi * x / 5.3) + 0.7 * math.sin(2 * math.pi * x / 2.9 + 0.8))
            )
        raw.append(a)
    half = 8
    prefix = [0.0]
    for a in raw:
        prefix.append(prefix[-1] + a)
    out = []
    for i in range(len(raw)):
        lo, hi = max(i - half, 0), min(i + half + 1, len(raw))
        out.append((prefix[hi] - prefix[lo]) / (hi - lo))
    return out
