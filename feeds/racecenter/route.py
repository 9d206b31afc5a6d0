"""The stage's route: the organiser's trace file, where it is published, its copy on disk, and
the profile read from it.

The Race Center's REST API has no route. The organiser publishes it as a file on its asset
storage, days before the stage: for the Tour, `TOUR_TRACE` (the hash in it is a build variable
of the organiser's, which may change between seasons; old seasons are purged). The file holds
`name`, `totalDistance` (km), `routePoints` [{lat, lon, ele}] and `pointsOfInterest` [{label,
lat, lon, alt, distanceTraveled, distanceRemaining}], where "#002" is km 0 and the points
before it are the neutralised start. The live stream never sends altitude: this file is the
only profile a live stage has. Once fetched it is kept on disk (`RouteCache`): a restart
needs no network, and a season purged from the storage stays readable.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from itertools import pairwise
from math import cos, hypot, isfinite, radians
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from race.models import ProfilePoint
from race.tracking.geometry import KM_PER_DEGREE, haversine_km

TOUR_TRACE = (
    "https://storage.googleapis.com/tdf-prod-assets-7d6b412378cb7194/tdf/{year}/stage-{stage}/"
    "trace.json"
)
"""The Tour de France's trace files (what its own race site reads)."""
TRACE_URLS: tuple[tuple[str, str], ...] = (("letour.fr", TOUR_TRACE),)
"""Where the organiser publishes a Race Center's routes, by the end of the Race Center's host
name (`racecenter.letour.fr`; `letourfemmes.fr` is another domain). Only the Tour's is known:
for other races the REST bind is asked, and `route_url` can say where."""


def trace_url(base_url: str, route_url: str | None, year: int, stage: int) -> str | None:
    """The trace file's URL for a stage: `route_url` filled in, or by the Race Center's host
    when it is None; None when there is none to ask ("" asks for none)."""
    pattern = route_url
    if pattern is None:
        host = (urlsplit(base_url).hostname or "").lower()
        pattern = next(
            (url for domain, url in TRACE_URLS if host == domain or host.endswith(f".{domain}")),
            None,
        )
    return pattern.format(year=year, stage=stage) if pattern else None


def usable_trace(value: object) -> dict[str, Any] | None:
    """`value` if it is a trace a profile can be read from (two located points), else None."""
    if not isinstance(value, dict):
        return None
    points = value.get("routePoints")
    if not isinstance(points, list) or sum(1 for p in points if _has_position(p)) < 2:
        return None
    return value


class RouteCache:
    """Trace files fetched, kept on disk by Race Center, year and stage:
    `{folder}/racecenter/{host}/{year}/stage-{n}.json`. Reading never fails: a missing or
    unreadable file is no route (and the route is fetched again)."""

    def __init__(self, folder: Path, base_url: str) -> None:
        host = urlsplit(base_url).netloc.rpartition("@")[2] or "unknown"
        self.folder = folder.expanduser() / "racecenter" / re.sub(r"[^\w.-]", "_", host)

    def path(self, year: int, stage: int) -> Path:
        return self.folder / str(year) / f"stage-{stage}.json"

    def load(self, year: int, stage: int) -> dict[str, Any] | None:
        try:
            return usable_trace(json.loads(self.path(year, stage).read_bytes()))
        except (OSError, ValueError):
            return None

    def save(self, year: int, stage: int, body: bytes) -> None:
        """Keep `body` (the trace as received), atomically: a reader never sees half a file.
        Raises `OSError` (a folder that cannot be written)."""
        path = self.path(year, stage)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as file:
            try:
                file.write(body)
                file.flush()
                os.fsync(file.fileno())
            except BaseException:
                Path(file.name).unlink(missing_ok=True)
                raise
        try:
            os.replace(file.name, path)
        except OSError:
            Path(file.name).unlink(missing_ok=True)
            raise


ANCHOR_WITHIN_KM = 0.1
"""A point of interest this close to the route anchors its distance (`distanceTraveled`)."""


def route_profile(trace: Mapping[str, Any]) -> tuple[tuple[ProfilePoint, ...], float | None]:
    """Profile points (km from the start, altitude, position) from a route trace.

    The trace usually begins at the neutralised start, before km 0 (the point of interest
    "#002"), and its length differs a little from the official one. Points of interest on the
    route give (distance along the trace, km from the start) anchors; between anchors distances
    are interpolated, and the last point is the line (`totalDistance`).
    """
    points = [p for p in trace.get("routePoints") or [] if _has_position(p)]
    total = trace.get("totalDistance")
    distance = float(total) if isinstance(total, int | float) and total > 0 else None
    if len(points) < 2:
        return (), distance
    along = [0.0]
    for a, b in pairwise(points):
        along.append(along[-1] + _km_between(a, b))
    if distance is None:
        distance = along[-1]
    marks: list[tuple[float, float]] = []
    for km, poi in _points_of_interest(trace, distance):
        at = _passage(points, along, poi, after=marks[-1][0] if marks else None)
        if at is not None and at < along[-1] and (not marks or km > marks[-1][1]):
            marks.append((at, km))
    marks.append((along[-1], distance))
    if len(marks) == 1:  # Only the line: measure back from it.
        marks.insert(0, (0.0, distance - along[-1]))
    # Points before km 0 are kept (negative km): the neutralised start is road too, and the
    # trace is simplified (one point per straight, up to several km apart).
    profile = tuple(
        ProfilePoint(
            km=round(_interpolate(marks, at), 3),
            altitude_m=float(point.get("ele") or point.get("alt") or 0.0),
            lat=float(point["lat"]),
            lon=float(point["lon"]),
        )
        for point, at in zip(points, along, strict=True)
    )
    return profile, distance


def _points_of_interest(trace: Mapping[str, Any], distance: float) -> list[tuple[float, Any]]:
    """The trace's located points of interest before the line, by their km from the start."""
    found = [
        (float(poi["distanceTraveled"]), poi)
        for poi in trace.get("pointsOfInterest") or []
        if _has_position(poi)
        and isinstance(poi.get("distanceTraveled"), int | float)
        and isfinite(poi["distanceTraveled"])
        and poi["distanceTraveled"] < distance
    ]
    return sorted(found, key=lambda pair: pair[0])


def _passage(
    points: Sequence[Mapping[str, Any]],
    along: Sequence[float],
    poi: Mapping[str, Any],
    after: float | None,
) -> float | None:
    """Where the route first passes within `ANCHOR_WITHIN_KM` of `poi` after `after` km along
    the trace: the distance along the trace of its nearest point on that pass, or None.

    The point is projected on the segments, not matched to a vertex: a simplified trace has
    straights of several km (on Stage 5 of 2026, km 0 lies on a 7.8 km one, 1.2 km from any
    point). A route that passes the same place twice (laps) is anchored on the pass that comes
    after the previous point of interest.
    """
    kx = KM_PER_DEGREE * cos(radians(poi["lat"]))
    x, y = poi["lon"] * kx, poi["lat"] * KM_PER_DEGREE
    best: tuple[float, float] | None = None  # (distance to the route, distance along it)
    for i in range(len(points) - 1):
        a, b = points[i], points[i + 1]
        x0, y0 = a["lon"] * kx, a["lat"] * KM_PER_DEGREE
        dx, dy = b["lon"] * kx - x0, b["lat"] * KM_PER_DEGREE - y0
        length2 = dx * dx + dy * dy
        f = min(1.0, max(0.0, ((x - x0) * dx + (y - y0) * dy) / length2)) if length2 else 0.0
        off = hypot(x0 + dx * f - x, y0 + dy * f - y)
        at = along[i] + f * (along[i + 1] - along[i])
        if off <= ANCHOR_WITHIN_KM and (after is None or at > after):
            if best is None or off < best[0]:
                best = (off, at)
        elif best is not None:
            break  # The pass is over.
    return best[1] if best is not None else None


def _interpolate(marks: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear through (x, y) marks sorted by x, extended at both ends."""
    if x <= marks[0][0]:
        (x0, y0), (x1, y1) = marks[0], marks[1]
    elif x >= marks[-1][0]:
        (x0, y0), (x1, y1) = marks[-2], marks[-1]
    else:
        i = next(i for i in range(1, len(marks)) if marks[i][0] >= x)
        (x0, y0), (x1, y1) = marks[i - 1], marks[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 != x0 else y0


def _has_position(point: object) -> bool:
    return (
        isinstance(point, dict)
        and isinstance(point.get("lat"), int | float)
        and isinstance(point.get("lon"), int | float)
    )


def _km_between(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Great-circle distance between two `{"lat", "lon", ...}` records of a trace."""
    return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
