"""What every quirk shares: its options' base, the facts it scripts, when it strikes, and how a
rider is moved along the route with a GPS fix that agrees with his new km to go."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from random import Random
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from race.models import Bib, FeedEvent, RaceNews, RiderFix, Stage, StartList, Telemetry
from race.tracking.geometry import KM_PER_DEGREE


@dataclass
class QuirkFacts:
    """What one quirk did to the stream, filled in as the stream is read: the truth the engine's
    answers can be checked against. Complete once the stream has been read to its end."""

    kind: str
    added: list[float] = field(default_factory=list)
    """Feed times of the frames the quirk added, in the order they were sent."""
    changed: list[float] = field(default_factory=list)
    """Feed times, as sent, of the stream's own frames the quirk changed."""
    original_times: list[float] = field(default_factory=list)
    """For retimed frames: the time each of `changed` had before (same order)."""
    removed: list[float] = field(default_factory=list)
    """Feed times of frames the quirk left out (or of the frames a rider was left out of)."""
    bibs: list[Bib] = field(default_factory=list)
    """The riders it concerns: the ghost, the vanished, the resynced, those given bad numbers."""
    absent: list[Bib] = field(default_factory=list)
    """Riders left out of the frames it added (a pre-start's missing team leaders)."""
    km_to_finish: float | None = None
    """The km to go it made the feed say (a pre-start's constant km, a ghost's km)."""
    true_km_to_finish: float | None = None
    """Where the rider really was when the feed said `km_to_finish`."""
    offset_s: float | None = None
    """How far it moved the stream in time (a shifted day, the next stage of a relay)."""


class QuirkOptions(BaseModel, ABC):
    """Base of every quirk's options: immutable, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: ClassVar[int] = 0
    """Quirks apply in the order of their phase: the race's own faults (0), then a pre-start
    stretch (1), yesterday's snapshot before it (2), a shifted day (3), the next stages of a
    relay (4). A ghost is so placed in the race, never in the pre-start."""

    @abstractmethod
    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        """The stream with this quirk, recording what it did in `facts`."""


class Triggered(QuirkOptions, ABC):
    """A quirk that strikes at one moment of the race."""

    at_km_to_finish: float | None = Field(default=None, ge=0)
    """It strikes at the first frame where the head of the race is this many km from the line
    or closer. None: halfway through the stage."""


class OneRider(Triggered, ABC):
    """A quirk that strikes one rider."""

    bib: Bib | None = None
    """The rider; None: a seeded choice among those behind the first rider on the road."""


class Trigger:
    """Finds the frame where a `Triggered` quirk strikes, reading the stream as it goes."""

    def __init__(self, at_km_to_finish: float | None) -> None:
        self._at = at_km_to_finish
        self.fired = False

    def reached(self, event: FeedEvent) -> bool:
        """True once, for the first frame at or past the quirk's km mark."""
        if isinstance(event, StartList) and self._at is None:
            self._at = event.stage.distance_km / 2
        if self.fired or not isinstance(event, Telemetry):
            return False
        head = head_km(event)
        if head is None:
            return False
        if self._at is None:  # No start list: halfway from where the stream begins.
            self._at = head / 2
        self.fired = head <= self._at
        return self.fired


def head_km(frame: Telemetry) -> float | None:
    """Km to go of the first rider on the road who has not finished (None if none is placed)."""
    kms = [
        fix.km_to_finish
        for fix in frame.riders
        if fix.km_to_finish is not None and math.isfinite(fix.km_to_finish) and not fix.finished
    ]
    return min(kms) if kms else None


def placed(frame: Telemetry) -> list[RiderFix]:
    """The frame's riders on the road with a usable km to go, front first."""
    fixes = [
        fix
        for fix in frame.riders
        if fix.km_to_finish is not None and math.isfinite(fix.km_to_finish) and not fix.finished
    ]
    return sorted(fixes, key=lambda fix: (fix.km_to_finish, fix.bib))


def pick_rider(frame: Telemetry, rng: Random, bib: Bib | None) -> RiderFix | None:
    """The configured rider's fix in `frame`, or a seeded choice among the riders on the road
    behind the first one (a quirk on the head alone would say little about the field)."""
    road = placed(frame)
    if bib is not None:
        return next((fix for fix in road if fix.bib == bib), None)
    if len(road) < 2:
        return road[0] if road else None
    return rng.choice(road[1:])


class RoutePath:
    """The stage's route as a polyline, to place a rider at a km with a fix that agrees."""

    def __init__(self, stage: Stage | None) -> None:
        self._points = sorted(
            (p.km, p.lat, p.lon, p.altitude_m)
            for p in (stage.profile if stage is not None else ())
            if p.lat is not None and p.lon is not None
        )
        self._km = [point[0] for point in self._points]
        self.distance_km = stage.distance_km if stage is not None else None
        self.usable = len(self._points) >= 2

    def at(self, km_to_finish: float) -> tuple[float, float, float] | None:
        """(lat, lon, altitude) of the route point `km_to_finish` from the line."""
        if not self.usable or self.distance_km is None:
            return None
        km = self.distance_km - km_to_finish
        i = min(max(bisect_left(self._km, km), 1), len(self._km) - 1)
        km0, lat0, lon0, alt0 = self._points[i - 1]
        km1, lat1, lon1, alt1 = self._points[i]
        f = min(max((km - km0) / (km1 - km0), 0.0), 1.0) if km1 > km0 else 0.0
        return (lat0 + (lat1 - lat0) * f, lon0 + (lon1 - lon0) * f, alt0 + (alt1 - alt0) * f)


def moved(
    fix: RiderFix, km_to_finish: float, route: RoutePath, before: RiderFix | None
) -> RiderFix:
    """`fix` placed at `km_to_finish`, its GPS fix moved to agree.

    On the route when it is known; otherwise shifted by the same distance along the rider's own
    heading (from his previous fix `before`), or northwards when he has no heading.
    """
    update: dict[str, float | None] = {"km_to_finish": round(km_to_finish, 2)}
    point = route.at(km_to_finish)
    if point is not None:
        update["lat"], update["lon"], update["altitude_m"] = point
    elif fix.lat is not None and fix.lon is not None and fix.km_to_finish is not None:
        forward = fix.km_to_finish - km_to_finish
        north, east = 1.0, 0.0
        if before is not None and before.lat is not None and before.lon is not None:
            dy = fix.lat - before.lat
            dx = (fix.lon - before.lon) * math.cos(math.radians(fix.lat))
            if dx or dy:
                norm = math.hypot(dx, dy)
                north, east = dy / norm, dx / norm
        update["lat"] = fix.lat + forward * north / KM_PER_DEGREE
        update["lon"] = fix.lon + forward * east / (KM_PER_DEGREE * math.cos(math.radians(fix.lat)))
    return fix.model_copy(update=update)


def with_fix(frame: Telemetry, fix: RiderFix) -> Telemetry:
    """`frame` with the rider of `fix` replaced by it."""
    riders = tuple(fix if old.bib == fix.bib else old for old in frame.riders)
    return frame.model_copy(update={"riders": riders})


def without(frame: Telemetry, bibs: Collection[Bib]) -> Telemetry:
    """`frame` without the riders of `bibs`."""
    riders = tuple(fix for fix in frame.riders if fix.bib not in bibs)
    return frame.model_copy(update={"riders": riders})


def retimed(event: FeedEvent, t: float) -> FeedEvent:
    """A telemetry frame or a news item at another feed time (other events unchanged)."""
    if isinstance(event, Telemetry | RaceNews):
        return event.model_copy(update={"t": t})
    return event
