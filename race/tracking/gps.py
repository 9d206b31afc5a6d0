"""Riders placed on the route from their GPS fix when the feed gives no km to go.

For part of 2025 the Race Center sent positions and speeds but no `kmToFinish`: every rider's
km to go is then the projection of his fix onto the route (the stage's profile points with
their latitude and longitude). `GpsPlacer.place` fills the missing km to go of each frame once,
before anything reads the fixes, so the rest of the engine sees them as if the feed had sent
them. A km to go the feed gives is kept: it is the official one.

A route can pass the same place twice (a circuit, an out-and-back, a finish on laps), so a fix
may lie on several passages of it. A rider is kept where his previous place and his speed put
him, and never moved further than he could have ridden since; a rider without a recent place
goes on the passage nearest the rest of the field. A fix farther than `ON_ROUTE_KM` from the
route is off it: its km to go stays unknown (a start village 200 km away, a team bus).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from statistics import median

from pydantic import TypeAdapter

from race.models import Bib, RiderFix, Stage, Telemetry
from race.situation import Placing
from race.tracking.geometry import KM_PER_DEGREE, RouteLine, nearest_on
from race.tracking.tracks import DEFAULT_KMH, JUMP_CHECK_S, KM_MAX, MAX_KMH, REPORTED_KMH_MAX

ON_ROUTE_KM = 0.15
"""A fix farther than this from the route is not on it: GPS noise is a few metres, a trace
simplified to a point every 50-100 m strays some tens of metres from the road, and a parallel
road (a service road, the other side of a valley) is further."""
CELL_KM = 0.25
"""Side of the grid's square cells. Every segment is filed in each cell it passes within
`ON_ROUTE_KM` of, so a fix reads one cell: a few segments, whatever the route's length."""
BACK_KM = 0.5
"""A rider placed this far behind his previous place is still that rider (GPS noise, a rider
turning back to his team car); further back is another passage of the route."""
REACH_SLACK_KM = 0.2
"""Added to the furthest a rider can ride between two fixes (`MAX_KMH`): GPS noise on both."""
NEAR_SLACK_KM = 0.1
"""The road searched around where a rider's previous place and speed put him, first."""

_FIXES = TypeAdapter(list[RiderFix])


class RouteGrid:
    """The route's segments filed by square cells of its local plane: the passages of the
    route near a fix, in one dictionary look-up."""

    def __init__(self, route: RouteLine, tolerance_km: float = ON_ROUTE_KM) -> None:
        self._segments = route.segments
        self._tolerance2 = tolerance_km * tolerance_km
        cells: dict[tuple[int, int], list[int]] = {}
        for i, (x0, y0, dx, dy, _, _, _) in enumerate(self._segments):
            # Filed by its bounding box widened by the tolerance: a few cells too many at
            # worst (a long diagonal), never one missing.
            x_lo = math.floor((min(x0, x0 + dx) - tolerance_km) / CELL_KM)
            x_hi = math.floor((max(x0, x0 + dx) + tolerance_km) / CELL_KM)
            y_lo = math.floor((min(y0, y0 + dy) - tolerance_km) / CELL_KM)
            y_hi = math.floor((max(y0, y0 + dy) + tolerance_km) / CELL_KM)
            for cx in range(x_lo, x_hi + 1):
                for cy in range(y_lo, y_hi + 1):
                    cells.setdefault((cx, cy), []).append(i)
        self._cells = cells

    def passages(self, x: float, y: float) -> list[float]:
        """Where the route passes within the tolerance of (x, y): for each stretch of route in
        reach (consecutive segments), its point nearest to (x, y) in km from the start, in
        route order. Empty: the point is off the route."""
        cell = self._cells.get((math.floor(x / CELL_KM), math.floor(y / CELL_KM)))
        if not cell:
            return []
        segments = self._segments
        tolerance2 = self._tolerance2
        out: list[float] = []
        best_d2 = math.inf
        previous = -2
        for i in cell:  # Ascending: filed in route order.
            d2, km = nearest_on(x, y, segments, i, i + 1)
            if d2 > tolerance2:
                continue
            if i == previous + 1 and out:
                if d2 < best_d2:  # The same stretch of road: its nearest point.
                    best_d2, out[-1] = d2, km
            else:
                best_d2 = d2
                out.append(km)
            previous = i
        return out


class GpsPlacer:
    """Fills in the km to go the feed left out, from the riders' fixes on the route."""

    def __init__(self) -> None:
        self.source: Placing | None = None
        """Where the last frame's km to go came from (None before the first frame)."""
        self.detail = ""
        """Why, in the user's words (e.g. "positions only: no route")."""
        self.unplaced = False
        """The last frame placed no rider at all: `detail` says why."""
        self._stage: Stage | None = None
        self._route: RouteLine | None = None
        self._grid: RouteGrid | None = None
        self._last_t: dict[Bib, float] = {}
        self._last_km: dict[Bib, float] = {}
        """Each rider's last place in km from the start (the feed's, or placed here)."""
        self._consensus: tuple[float, float] | None = None
        """(time, km from the start) of the field's median place at the last frame placed."""

    def place(self, frame: Telemetry, stage: Stage | None) -> Telemetry:
        """The frame with every missing km to go filled in from the rider's fix, where it
        lies on the route (see the module's docstring)."""
        route = self._route_of(stage)
        t = frame.t
        last_t, last_km = self._last_t, self._last_km
        from_feed = located = 0
        placed: dict[int, float] = {}
        """Km from the start of the fixes placed here, by index in the frame."""
        undecided: list[tuple[int, Bib, list[float]]] = []
        riders = frame.riders
        distance, kx, kms, segments = 0.0, 0.0, [], []
        if route is not None:
            distance, kx, kms, segments = route.distance_km, route.kx, route.kms, route.segments
        last_segment = len(kms) - 1
        on_route2 = ON_ROUTE_KM * ON_ROUTE_KM
        for index, fix in enumerate(riders):
            # The hot loop when the feed gives no km to go (every rider of every frame).
            bib = fix.bib
            km = fix.km_to_finish
            if km is not None:
                from_feed += 1
                if route is not None and -KM_MAX <= km <= KM_MAX:  # Not NaN nor infinite.
                    last_t[bib], last_km[bib] = t, distance - km
                continue
            lat, lon = fix.lat, fix.lon
            if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                continue
            located += 1
            if route is None:
                continue
            x, y = lon * kx, lat * KM_PER_DEGREE
            previous_t = last_t.get(bib)
            if previous_t is not None and 0.0 <= t - previous_t <= JUMP_CHECK_S:
                # Where his last place and speed put him: the usual case, a few segments read.
                previous = last_km[bib]
                speed = fix.speed_kmh
                if speed is None or not 0.0 <= speed <= REPORTED_KMH_MAX:
                    speed = DEFAULT_KMH
                expected = previous + speed * (t - previous_t) / 3600.0
                low = (previous if previous < expected else expected) - NEAR_SLACK_KM
                high = expected + NEAR_SLACK_KM
                d2, km = nearest_on(
                    x,
                    y,
                    segments,
                    max(0, bisect_left(kms, low) - 1),
                    min(last_segment, bisect_right(kms, high)),
                )
                if d2 <= on_route2 and low < km < high:
                    placed[index] = km
                    continue
                km = self._reachable(x, y, previous, expected, t - previous_t)
                if km is not None:
                    placed[index] = km
                continue  # Nowhere he could have ridden to: not placed in this frame.
            assert self._grid is not None
            passages = self._grid.passages(x, y)
            if len(passages) == 1:
                placed[index] = passages[0]
            elif passages:
                undecided.append((index, bib, passages))
        if undecided:
            self._decide(undecided, placed, t, stage)
        for index, km_from_start in placed.items():
            bib = riders[index].bib
            last_t[bib], last_km[bib] = t, km_from_start
        if placed:
            self._consensus = (t, median(placed.values()))
        self._summarise(len(riders), from_feed, located, len(placed))
        if not placed:
            return frame
        fixes = list(riders)
        # Validated in one call: a third cheaper than a `model_copy` per fix, which took half
        # the time of placing a frame.
        indices = list(placed)
        for index, fix in zip(
            indices,
            _FIXES.validate_python(
                [
                    {**riders[i].__dict__, "km_to_finish": round(distance - placed[i], 3)}
                    for i in indices
                ]
            ),
            strict=True,
        ):
            fixes[index] = fix
        return frame.model_copy(update={"riders": tuple(fixes)})

    def _reachable(
        self, x: float, y: float, previous: float, expected: float, dt: float
    ) -> float | None:
        """The passage of the route through (x, y) nearest to where the rider's speed puts
        him (`expected`, km from the start) among those he could have ridden to since his
        place `previous`, `dt` seconds ago; None when there is none."""
        assert self._grid is not None
        reach = previous + MAX_KMH * dt / 3600.0 + REACH_SLACK_KM
        reachable = [km for km in self._grid.passages(x, y) if previous - BACK_KM <= km <= reach]
        return min(reachable, key=lambda km: abs(km - expected)) if reachable else None

    def _decide(
        self,
        undecided: Sequence[tuple[int, Bib, list[float]]],
        placed: dict[int, float],
        t: float,
        stage: Stage | None,
    ) -> None:
        """Riders on a place the route passes more than once, with nothing recent to tell
        which passage: on the one nearest his own last place ridden on, else the field's
        place now, else the field's last place ridden on, else where the schedule puts the
        race; with none of those, the first passage."""
        field_now = median(placed.values()) if placed else None
        for index, bib, passages in undecided:
            prior: float | None = field_now
            if bib in self._last_t:
                prior = self._ridden(self._last_t[bib], self._last_km[bib], t)
            elif prior is None and self._consensus is not None:
                prior = self._ridden(*self._consensus, t)
            elif prior is None and stage is not None and stage.scheduled_start is not None:
                prior = self._ridden(stage.scheduled_start, 0.0, t)
            target = prior
            placed[index] = (
                passages[0] if target is None else min(passages, key=lambda km: abs(km - target))
            )

    @staticmethod
    def _ridden(since_t: float, km_from_start: float, t: float) -> float:
        """Where a rider at `km_from_start` at `since_t` is at `t`, at a typical speed."""
        return km_from_start + DEFAULT_KMH * max(0.0, t - since_t) / 3600.0

    def _summarise(self, riders: int, from_feed: int, located: int, placed: int) -> None:
        """Where this frame's km to go came from, and why none when none."""
        if not riders:
            return  # An empty frame says nothing new.
        self.unplaced = not from_feed and not placed
        if placed:
            off = located - placed
            self.source = "gps"
            self.detail = f"{placed} riders placed from GPS" + (
                f", {off} off the route" if off else ""
            )
        elif from_feed:
            self.source, self.detail = "feed", ""
        elif not located:
            self.source, self.detail = "none", "no distances or positions in the feed"
        elif self._route is None:
            self.source, self.detail = "none", "positions only: no route"
        else:
            self.source, self.detail = "gps", "riders off the route"

    def _route_of(self, stage: Stage | None) -> RouteLine | None:
        """The stage's route (None without one, or without positions on it), rebuilt when
        the stage changes (a start list sent again with its route)."""
        if stage is not self._stage:
            self._stage = stage
            route = RouteLine(stage.profile, stage.distance_km) if stage is not None else None
            usable = route is not None and route.usable
            self._route = route if usable else None
            self._grid = RouteGrid(route) if route is not None and usable else None
        return self._route
