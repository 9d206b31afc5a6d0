"""What a feed sends before the race: a pre-start stretch at the start village, and on connecting
the previous stage's last frame."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from random import Random
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field

from feeds.quirks.base import QuirkFacts, QuirkOptions, RoutePath
from race.models import Bib, FeedEvent, RiderFix, Stage, StartList, Telemetry
from race.tracking.geometry import KM_PER_DEGREE

VILLAGE_SPREAD_KM = 0.1
"""Riders waiting at the start village stand within about this distance of one another."""
STANDING_NOISE_KM = 0.005
"""A standing rider's fix still moves a few metres from one frame to the next (GPS noise)."""


class PreStart(QuirkOptions):
    """Frames before the real start: the riders at the start village, barely moving, the km to
    go stuck at a value unrelated to the stage, no gaps, some riders absent, a long hole."""

    phase = 1
    kind: Literal["pre_start"] = "pre_start"
    duration_s: float = Field(default=1800.0, gt=0, le=6 * 3600)
    """How long before the stream's first frame the stretch begins, in seconds."""
    km_to_finish: Annotated[float, Field(ge=0)] | Literal["distance"] = 12.4
    """The km to go every rider has in it: a number (12.4 was seen on a 181.9 km stage; 0), or
    "distance" for the stage's length."""
    cadence_s: float = Field(default=6.0, ge=1, le=600)
    """Seconds between two of its frames."""
    absent_share: float = Field(default=0.2, ge=0, le=1)
    """Share of the riders missing from it (a seeded choice)."""
    away_km: float = Field(default=200.0, ge=0, le=2000)
    """How far from the start of the route the riders' positions are, in km."""
    hole_s: float = Field(default=570.0, ge=0, le=6 * 3600)
    """One hole without a frame inside the stretch, this long (0: none)."""
    max_speed_kmh: float = Field(default=3.0, ge=0, le=20)
    """The riders' speeds are drawn between 0 and this."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        return _before_the_stream(
            events, lambda first, start: self._stretch(first, start, rng, facts)
        )

    def _stretch(
        self, first: Telemetry, start: StartList | None, rng: Random, facts: QuirkFacts
    ) -> Iterator[Telemetry]:
        stage = start.stage if start is not None else None
        bibs = sorted(r.bib for r in start.riders) if start else [f.bib for f in first.riders]
        absent = set(rng.sample(bibs, round(self.absent_share * len(bibs))))
        facts.absent.extend(sorted(absent))
        present = [bib for bib in bibs if bib not in absent]
        km = self._km(stage, first)
        facts.km_to_finish = km
        village = _village(stage, first, self.away_km, rng)
        spots: dict[Bib, tuple[float, float]] = {}
        if village is not None:
            for bib in present:
                spread, bearing = rng.uniform(0, VILLAGE_SPREAD_KM), rng.uniform(0, 360)
                spots[bib] = offset(village, spread, bearing)
        begin = first.t - self.duration_s
        hole_from = math.inf
        if 0 < self.hole_s < self.duration_s:
            # On the frames' grid: the hole is `hole_s` from one frame to the next.
            steps_before = rng.uniform(0.1, 0.9) * (self.duration_s - self.hole_s) / self.cadence_s
            hole_from = begin + round(steps_before) * self.cadence_s
        steps = math.ceil(self.duration_s / self.cadence_s)
        for step in range(steps):
            t = begin + step * self.cadence_s
            if t >= first.t:
                break  # Rounding must not put a pre-start frame at the stream's first instant.
            if hole_from < t < hole_from + self.hole_s:
                continue
            riders = tuple(self._fix(bib, km, spots.get(bib), rng) for bib in present)
            facts.added.append(t)
            yield Telemetry(t=t, riders=riders)

    def _km(self, stage: Stage | None, first: Telemetry) -> float:
        if self.km_to_finish != "distance":
            return self.km_to_finish
        if stage is not None:
            return stage.distance_km
        kms = [f.km_to_finish for f in first.riders if f.km_to_finish is not None]
        return max((k for k in kms if math.isfinite(k)), default=0.0)

    def _fix(self, bib: Bib, km: float, spot: tuple[float, float] | None, rng: Random) -> RiderFix:
        lat = lon = None
        if spot is not None:
            lat, lon = offset(spot, rng.gauss(0, STANDING_NOISE_KM), rng.uniform(0, 360))
        speed = round(rng.uniform(0, self.max_speed_kmh), 2)
        return RiderFix(bib=bib, km_to_finish=km, lat=lat, lon=lon, speed_kmh=speed)


class PreviousStage(QuirkOptions):
    """The previous stage's last frame, sent before the stream (a live server re-sends its
    snapshot on connect): every rider at 0 km to go, finished, the evening before."""

    phase = 2
    kind: Literal["previous_stage"] = "previous_stage"
    hour: float = Field(default=19.0, ge=0, lt=24)
    """Local time of day of that frame (in the stage's time zone), the day before the stream's
    first frame."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        def snapshot(first: Telemetry, start: StartList | None) -> Iterator[Telemetry]:
            frame = self._snapshot(first, start)
            facts.added.append(frame.t)
            facts.km_to_finish = 0.0
            yield frame

        return _before_the_stream(events, snapshot)

    def _snapshot(self, first: Telemetry, start: StartList | None) -> Telemetry:
        stage = start.stage if start is not None else None
        bibs = sorted(r.bib for r in start.riders) if start else [f.bib for f in first.riders]
        zone = _zone(stage.timezone if stage else "UTC")
        day = datetime.fromtimestamp(first.t, zone).date() - timedelta(days=1)
        evening = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(hours=self.hour)
        # Yesterday's finish is, most days, near today's start: the riders stand there.
        where = RoutePath(stage).at(stage.distance_km) if stage is not None else None
        lat, lon = (where[0], where[1]) if where is not None else (None, None)
        riders = tuple(
            RiderFix(bib=bib, km_to_finish=0.0, lat=lat, lon=lon, speed_kmh=0.0, finished=True)
            for bib in bibs
        )
        return Telemetry(t=evening.timestamp(), riders=riders)


def _before_the_stream(
    events: Iterable[FeedEvent],
    make: Callable[[Telemetry, StartList | None], Iterable[Telemetry]],
) -> Iterator[FeedEvent]:
    """`events` with what `make` builds from the stream's first frame (with a time) and the
    start list before it, sent just before that frame."""
    start: StartList | None = None
    done = False
    for event in events:
        if isinstance(event, StartList):
            start = event
        elif isinstance(event, Telemetry) and not done and math.isfinite(event.t):
            done = True
            yield from make(event, start)
        yield event


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _village(
    stage: Stage | None, first: Telemetry, away_km: float, rng: Random
) -> tuple[float, float] | None:
    """Where the pre-start's riders stand: `away_km` from the start of the route (or from the
    first frame's riders when the route is unknown), in a seeded direction."""
    origin = RoutePath(stage).at(stage.distance_km) if stage is not None else None
    if origin is not None:
        centre = (origin[0], origin[1])
    else:
        fixes = [(f.lat, f.lon) for f in first.riders if f.lat is not None and f.lon is not None]
        usable = [(lat, lon) for lat, lon in fixes if math.isfinite(lat) and math.isfinite(lon)]
        if not usable:
            return None
        centre = (
            sum(lat for lat, _ in usable) / len(usable),
            sum(lon for _, lon in usable) / len(usable),
        )
    return offset(centre, away_km, rng.uniform(0, 360))


def offset(point: tuple[float, float], km: float, bearing_deg: float) -> tuple[float, float]:
    """`point` moved `km` towards `bearing_deg` (flat-Earth: exact enough for a start village
    that only needs to be far from the route)."""
    lat, lon = point
    north = km * math.cos(math.radians(bearing_deg))
    east = km * math.sin(math.radians(bearing_deg))
    return (
        lat + north / KM_PER_DEGREE,
        lon + east / (KM_PER_DEGREE * math.cos(math.radians(lat))),
    )
