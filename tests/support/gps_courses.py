"""Made-up routes on a plane for the GPS placing's tests (an out-and-back, a finish on laps),
and riders riding them at a steady speed with the truth of each fix.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from race.models import ProfilePoint, RiderFix, Stage, Telemetry
from race.tracking.geometry import KM_PER_DEGREE
from tests.support.frames import T0, start_list

LAT0 = 43.0
KX = KM_PER_DEGREE * math.cos(math.radians(LAT0))
KMH = 45.0
STEP_S = 6.0


def _latlon(x: float, y: float) -> tuple[float, float]:
    """A point of the plane (km east, km north of 43° N, 0° E) in degrees."""
    return LAT0 + y / KM_PER_DEGREE, x / KX


@dataclass(frozen=True)
class Course:
    """A made-up route: its vertices on the plane, and where a km from the start lies."""

    vertices: Sequence[tuple[float, float]]

    @property
    def length(self) -> float:
        return sum(math.dist(a, b) for a, b in zip(self.vertices, self.vertices[1:], strict=False))

    def at(self, km: float) -> tuple[float, float]:
        """(lat, lon) at `km` from the start."""
        for a, b in zip(self.vertices, self.vertices[1:], strict=False):
            leg = math.dist(a, b)
            if km <= leg:
                f = km / leg
                return _latlon(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
            km -= leg
        return _latlon(*self.vertices[-1])

    def stage(self, *, scheduled: bool = True) -> Stage:
        n = round(self.length / 0.1)
        points = [
            ProfilePoint(km=i * self.length / n, altitude_m=100.0, lat=lat, lon=lon)
            for i in range(n + 1)
            for lat, lon in [self.at(i * self.length / n)]
        ]
        return start_list(5, distance=self.length).stage.model_copy(
            update={"profile": tuple(points), "scheduled_start": T0 if scheduled else None}
        )


OUT_AND_BACK = Course(((0.0, 0.0), (10.0, 0.0), (0.0, 0.0)))
"""10 km east and back on the same road: every place but the turn is passed twice."""
CIRCUIT = ((0.0, 2.0), (2.0, 2.0), (2.0, 0.0), (0.0, 0.0))
LAPS = Course(((0.0, -5.0), (0.0, 0.0), *CIRCUIT * 3))
"""5 km to an 8 km square circuit ridden three times: the finish, at the circuit's corner, is
passed four times."""


def _fix(course: Course, bib: int, km: float, noise_m: float, rng: random.Random) -> RiderFix:
    lat, lon = course.at(km)
    lat += rng.gauss(0.0, noise_m / 1000.0) / KM_PER_DEGREE
    lon += rng.gauss(0.0, noise_m / 1000.0) / KX
    return RiderFix(bib=bib, lat=lat, lon=lon, speed_kmh=KMH)


def _frames(
    course: Course, riders: dict[int, float], until_km: float, noise_m: float = 4.0
) -> Iterable[tuple[Telemetry, dict[int, float]]]:
    """Frames every `STEP_S` of riders starting at `riders` (km from the start) at `KMH`,
    until the first reaches `until_km`, with the truth (km from the start) of each fix."""
    rng = random.Random(13)
    t = 0.0
    while True:
        truth = {bib: km + KMH * t / 3600.0 for bib, km in riders.items()}
        if max(truth.values()) > until_km:
            return
        fixes = tuple(_fix(course, bib, km, noise_m, rng) for bib, km in truth.items())
        yield Telemetry(t=T0 + t, riders=fixes), truth
        t += STEP_S


def _placed(frame: Telemetry, distance: float) -> dict[int, float | None]:
    """Km from the start of each fix, as placed."""
    return {
        fix.bib: None if fix.km_to_finish is None else distance - fix.km_to_finish
        for fix in frame.riders
    }
