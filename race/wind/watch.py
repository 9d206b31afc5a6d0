"""The wind the riders' sensors measure (the Race Center's per-rider `kphWind`, `RiderWindDir`,
`degC`), and the crosswinds ahead of the head of the race announced on the race radio, once per
stretch.

A rider's sensor gives the wind's angle to his heading; the heading is the feed's (`Course`)
when it sends one, else the route's at his km, else his own motion since his last fix (a
recording without the route). The wind now is the median of the riders near
the front (within `NEAR_FRONT_KM` of the first rider: where the race is decided next).
"""

from __future__ import annotations

import math
from operator import attrgetter
from statistics import median

from race.alerts import AlertLog
from race.models import Bib, Stage, Telemetry
from race.tracking.geometry import KM_PER_DEGREE, RouteLine
from race.wind.crosswind import crosswinds, road_heading
from race.wind.view import Crosswind, WindNow
from race.wording import counted

_WIND = attrgetter("wind_kmh")

NEAR_FRONT_KM = 5.0
"""Riders this close to the front rider give the wind (the whole field spans 30 km or more)."""
HEADING_SPAN_KM = 0.2
"""The route's heading at a rider is taken over this much road around him."""
MOTION_KM = (0.05, 0.5)
"""A heading from a rider's own motion needs this much ground between two fixes: less is GPS
noise, more is a hole in the feed (the road may have turned)."""
MOTION_WITHIN_S = 15.0
"""...and fixes this close in time."""
FORGET_AFTER_S = 600.0
"""A reading older than this is no longer the wind now (the feed stopped sending it)."""


class WindWatch:
    """`offer` each telemetry frame (placed on the route); `now` and `ahead` for the situation."""

    def __init__(self) -> None:
        self._stage: Stage | None = None
        self._route: RouteLine | None = None
        self._now: WindNow | None = None
        self._announced: list[tuple[float, float]] = []
        self._cache: tuple[tuple[object, ...], tuple[Crosswind, ...]] | None = None
        self._last_fix: dict[Bib, tuple[float, float, float]] = {}
        """Each rider's last fix with a position: (t, lat, lon)."""

    def _route_of(self, stage: Stage | None) -> RouteLine | None:
        if stage is not self._stage:
            self._stage = stage
            route = RouteLine(stage.profile, stage.distance_km) if stage is not None else None
            self._route = route if route is not None and route.usable else None
        return self._route

    def offer(self, frame: Telemetry, stage: Stage | None) -> None:
        """Read the frame's riders' sensors (a frame without any keeps the last reading)."""
        winds = list(map(_WIND, frame.riders))
        if winds.count(None) == len(winds):
            return  # No rider's sensor in this frame (most feeds have none): read in C.
        sensed = [f for f in frame.riders if f.wind_kmh is not None and math.isfinite(f.wind_kmh)]
        if not sensed:
            return
        moved = self._motion(frame)
        placed = [f.km_to_finish for f in sensed if f.km_to_finish is not None]
        front = min(placed) if placed else None
        if front is not None:
            sensed = [
                f
                for f in sensed
                if f.km_to_finish is None or f.km_to_finish <= front + NEAR_FRONT_KM
            ]
        route = self._route_of(stage)
        east = north = 0.0
        for fix in sensed:
            heading = fix.course_deg
            if heading is None and route is not None and fix.km_to_finish is not None:
                heading = road_heading(
                    route,
                    fix.km_to_finish + HEADING_SPAN_KM / 2,
                    fix.km_to_finish - HEADING_SPAN_KM / 2,
                )
            if heading is None:
                heading = moved.get(fix.bib)
            if heading is None or fix.wind_angle_deg is None:
                continue
            direction = math.radians(heading + fix.wind_angle_deg)
            east += math.sin(direction)
            north += math.cos(direction)
        temperatures = [f.temperature_c for f in sensed if f.temperature_c is not None]
        km_from_start = stage.distance_km - median(placed) if stage is not None and placed else None
        where = f" at km {km_from_start:.0f}" if km_from_start is not None else ""
        self._now = WindNow(
            from_deg=round(math.degrees(math.atan2(east, north)) % 360, 1)
            if east or north
            else None,
            speed_kmh=round(median(f.wind_kmh for f in sensed if f.wind_kmh is not None), 1),
            temperature_c=round(median(temperatures), 1) if temperatures else None,
            km_from_start=round(km_from_start, 1) if km_from_start is not None else None,
            riders=len(sensed),
            t=frame.t,
            basis=f"sensors of {counted(len(sensed), 'rider')}{where}",
        )

    def _motion(self, frame: Telemetry) -> dict[Bib, float]:
        """Each rider's heading from his last fix to this one, where it can be told."""
        headings: dict[Bib, float] = {}
        last = self._last_fix
        for fix in frame.riders:
            if fix.lat is None or fix.lon is None:
                continue
            before = last.get(fix.bib)
            last[fix.bib] = (frame.t, fix.lat, fix.lon)
            if before is None or not 0 < frame.t - before[0] <= MOTION_WITHIN_S:
                continue
            dy = (fix.lat - before[1]) * KM_PER_DEGREE
            dx = (fix.lon - before[2]) * KM_PER_DEGREE * math.cos(math.radians(fix.lat))
            if MOTION_KM[0] <= math.hypot(dx, dy) <= MOTION_KM[1]:
                headings[fix.bib] = math.degrees(math.atan2(dx, dy)) % 360
        return headings

    def now(self, t: float | None) -> WindNow | None:
        """The wind now; None when no sensor said it within `FORGET_AFTER_S`."""
        wind = self._now
        if wind is None or t is None or t - wind.t > FORGET_AFTER_S:
            return None
        return wind

    def ahead(
        self, t: float | None, head_km: float | None, alerts: AlertLog
    ) -> tuple[Crosswind, ...]:
        """The crosswind stretches ahead of the head; each new one said once on the radio."""
        wind, route = self.now(t), self._route
        if wind is None or route is None or head_km is None or t is None:
            return ()
        key = (round(head_km), wind.from_deg and round(wind.from_deg / 5), wind.speed_kmh)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        found = crosswinds(route, head_km, wind)
        self._cache = (key, found)
        for stretch in found:
            span = (stretch.to_km_to_go, stretch.from_km_to_go)
            if any(a < span[1] and span[0] < b for a, b in self._announced):
                continue  # The same stretch, seen again from a little nearer.
            self._announced.append(span)
            alerts.raise_once(
                t,
                "crosswind",
                f"Crosswind ahead: {stretch.basis}",
                "warning",
                key=f"crosswind {span[1]:.0f}",
            )
        return found
