"""Where a GPS fix lies on the route: the passages of the route near it (`RouteGrid`), and the
likeliest of them for a rider whose motion says where he should be (`likeliest_on`). Used to
place riders the feed gives no km to go (`race.tracking.gps`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from race.tracking.geometry import ON_ROUTE_KM, RouteLine, Segment, nearest_on

CELL_KM = 0.25
"""Side of the grid's square cells. Every segment is filed in each cell it passes within
`ON_ROUTE_KM` of, so a fix reads one cell: a few segments, whatever the route's length."""
FIX_SIGMA_KM = 0.025
"""How far a fix lies from the route's trace (one standard deviation): GPS noise of a few
metres, and a trace that cuts the road's curves between its points."""


def likeliest_on(
    x: float,
    y: float,
    segments: Sequence[Segment],
    lo: int,
    hi: int,
    expected: float,
    sigma: float,
) -> tuple[float, float]:
    """Where on `segments[lo:hi]` a rider whose fix is (x, y) most likely is, when his motion
    puts him at `expected` km from the start give or take `sigma`: (score, km from the start),
    the score being the squared distances from his fix and from `expected`, each in its
    standard deviations; (inf, nan) when no segment is within `ON_ROUTE_KM` of the fix."""
    tolerance2 = ON_ROUTE_KM * ON_ROUTE_KM
    fix_weight = 1.0 / (FIX_SIGMA_KM * FIX_SIGMA_KM)
    move_weight = 1.0 / (sigma * sigma)
    best = math.inf
    best_km = math.nan
    for x0, y0, dx, dy, inverse2, km0, dkm in segments[lo:hi]:
        # Each segment's point nearest to the fix, as `nearest_on` (inlined: the hot loop).
        ax, ay = x0 - x, y0 - y
        f = -(ax * dx + ay * dy) * inverse2
        if f < 0.0:
            f = 0.0
        elif f > 1.0:
            f = 1.0
        px, py = ax + dx * f, ay + dy * f
        d2 = px * px + py * py
        if d2 > tolerance2:
            continue
        km = km0 + f * dkm
        score = d2 * fix_weight + (km - expected) * (km - expected) * move_weight
        if score < best:
            best = score
            best_km = km
    return best, best_km


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

    def near(self, x: float, y: float) -> list[tuple[int, float, float]]:
        """The segments within the tolerance of (x, y), in route order: (index, squared
        distance, km from the start of the segment's point nearest to (x, y))."""
        cell = self._cells.get((math.floor(x / CELL_KM), math.floor(y / CELL_KM)))
        if not cell:
            return []
        segments = self._segments
        tolerance2 = self._tolerance2
        out: list[tuple[int, float, float]] = []
        for i in cell:  # Ascending: filed in route order.
            d2, km = nearest_on(x, y, segments, i, i + 1)
            if d2 <= tolerance2:
                out.append((i, d2, km))
        return out

    def passages(self, x: float, y: float) -> list[float]:
        """Where the route passes within the tolerance of (x, y): for each stretch of route in
        reach (consecutive segments), its point nearest to (x, y) in km from the start, in
        route order. Empty: the point is off the route."""
        out: list[float] = []
        best_d2 = math.inf
        previous = -2
        for i, d2, km in self.near(x, y):
            if i == previous + 1 and out:
                if d2 < best_d2:  # The same stretch of road: its nearest point.
                    best_d2, out[-1] = d2, km
            else:
                best_d2 = d2
                out.append(km)
            previous = i
        return out
