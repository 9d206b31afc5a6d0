"""A small synthetic stage for the quirks' tests (12 riders in a line at 40 km/h on a straight
30 km road going north), quirks run over it, and the fixes they changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.quirks import Quirk, QuirkedStream, apply_quirks
from race.models import Bib, FeedEvent, ProfilePoint, Rider, RiderFix, Stage, StartList, Telemetry
from race.tracking.geometry import KM_PER_DEGREE

SEED = 7
T0 = 1783512000.0
DISTANCE_KM = 30.0
SPEED_KMH = 40.0
RIDERS = 12
SPACING_KM = 0.05
"""Riders of the synthetic stage ride in a line, this far apart."""


def synthetic(minutes: int = 40, *, route: bool = True) -> list[FeedEvent]:
    """A small stage: 12 riders in a line at 40 km/h on a straight 30 km road going north, a
    frame every 6 s."""
    profile = tuple(
        ProfilePoint(km=k / 10, altitude_m=100 + k / 10, lat=43 + k / 10 / KM_PER_DEGREE, lon=0.0)
        for k in range(int(DISTANCE_KM * 10) + 1)
    )
    stage = Stage(
        race="Test",
        year=2026,
        number=3,
        distance_km=DISTANCE_KM,
        timezone="Europe/Paris",
        scheduled_start=T0,
        profile=profile if route else (),
    )
    riders = tuple(Rider(bib=b, first_name="A", last_name=f"R{b}", team="T") for b in bibs())
    events: list[FeedEvent] = [StartList(stage=stage, riders=riders)]
    for step in range(minutes * 10):
        t = T0 + step * 6
        fixes = []
        for bib in bibs():
            km = DISTANCE_KM - SPEED_KMH * step * 6 / 3600 - bib * SPACING_KM
            fixes.append(
                RiderFix(
                    bib=bib,
                    km_to_finish=round(km, 2),
                    lat=43 + (DISTANCE_KM - km) / KM_PER_DEGREE,
                    lon=0.0,
                    speed_kmh=SPEED_KMH,
                    feed_gap_s=round((bib - 1) * SPACING_KM / SPEED_KMH * 3600, 1),
                    altitude_m=100.0,
                    gradient_pct=0.5,
                    avg_speed_kmh=SPEED_KMH,
                )
            )
        events.append(Telemetry(t=t, riders=tuple(fixes)))
    return events


def bibs() -> range:
    return range(1, RIDERS + 1)


def run(
    events: Sequence[FeedEvent], *quirks: Quirk, seed: int = SEED
) -> tuple[list[FeedEvent], QuirkedStream]:
    stream = apply_quirks(events, quirks, seed)
    return list(stream), stream


def frames(events: Sequence[FeedEvent]) -> list[Telemetry]:
    return [e for e in events if isinstance(e, Telemetry)]


def fix_of(frame: Telemetry, bib: Bib) -> RiderFix | None:
    return next((f for f in frame.riders if f.bib == bib), None)


def differing(before: Sequence[Telemetry], after: Sequence[Telemetry]) -> list[tuple[float, Bib]]:
    """(time, bib) of every fix that changed between two runs of the same frames."""
    assert len(before) == len(after)
    out = []
    for old, new in zip(before, after, strict=True):
        for a, b in zip(old.riders, new.riders, strict=True):
            if a.model_dump() != b.model_dump():
                out.append((old.t, a.bib))
    return out
