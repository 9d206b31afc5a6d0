"""Numbers a feed should never send: NaN, infinities, 1e308, in a rider's fields or a frame's
time; speeds that are not the riders' (0 for a speed the feed does not have, metres a second);
and numbers coarser than the Race Center's (km to go in 100 m steps)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from random import Random
from typing import Literal, get_args

from pydantic import Field

from feeds.quirks.base import QuirkFacts, QuirkOptions, Trigger, Triggered, placed
from race.models import Bib, FeedEvent, Telemetry

NumericField = Literal[
    "km_to_finish",
    "lat",
    "lon",
    "speed_kmh",
    "feed_gap_s",
    "altitude_m",
    "gradient_pct",
    "avg_speed_kmh",
    "t",
]
NUMERIC_FIELDS: tuple[NumericField, ...] = get_args(NumericField)
"""Every numeric field of a rider's fix (`RiderFix`), and the frame's time (`Telemetry.t`)."""


class BadNumber(Triggered):
    """A value no measure can have, in one field of several riders in several frames."""

    kind: Literal["bad_number"] = "bad_number"
    field: NumericField = "km_to_finish"
    """The field: a rider's (`km_to_finish`, `lat`, `lon`, `speed_kmh`, `feed_gap_s`,
    `altitude_m`, `gradient_pct`, `avg_speed_kmh`) or the frame's time (`t`)."""
    value: float = float("nan")
    """What the feed sends instead (TOML: `nan`, `inf`, `-inf`, `1e308`)."""
    riders: int = Field(default=3, ge=1, le=200)
    """How many riders get it in each frame (the same riders each time; not for `t`)."""
    frames: int = Field(default=3, ge=1, le=1000)
    """How many frames get it."""
    every_frames: int = Field(default=10, ge=1, le=1000)
    """One frame in this many gets it, from the first frame where the quirk strikes."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        since: int | None = None
        bibs: set[Bib] = set()
        for event in events:
            if trigger.reached(event) and isinstance(event, Telemetry):
                since = 0
                road = [fix.bib for fix in placed(event)]
                bibs = set(rng.sample(road, min(self.riders, len(road))))
                if self.field != "t":
                    facts.bibs.extend(sorted(bibs))
            if isinstance(event, Telemetry) and since is not None:
                due = since % self.every_frames == 0 and since // self.every_frames < self.frames
                since += 1
                if due:
                    event = self._spoilt(event, bibs, facts)
            yield event

    def _spoilt(self, frame: Telemetry, bibs: set[Bib], facts: QuirkFacts) -> Telemetry:
        if self.field == "t":
            facts.original_times.append(frame.t)
            facts.changed.append(self.value)
            return frame.model_copy(update={"t": self.value})
        riders = tuple(
            fix.model_copy(update={self.field: self.value}) if fix.bib in bibs else fix
            for fix in frame.riders
        )
        facts.changed.append(frame.t)
        return frame.model_copy(update={"riders": riders})


class Speeds(QuirkOptions):
    """Every rider's speed, in every frame, multiplied by `factor`: 0 is a feed that sends 0
    for a speed it does not have, 0.2778 one that sends metres a second (the positions are
    right). Applies to the whole race."""

    kind: Literal["speeds"] = "speeds"
    factor: float = Field(default=0.0, ge=0.0, le=10.0)
    """What each speed is multiplied by."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        factor = self.factor
        for event in events:
            if isinstance(event, Telemetry) and event.riders:
                riders = tuple(
                    fix
                    if fix.speed_kmh is None
                    else fix.model_copy(update={"speed_kmh": fix.speed_kmh * factor})
                    for fix in event.riders
                )
                event = event.model_copy(update={"riders": riders})
                facts.changed.append(event.t)
            yield event


class CoarseKm(Triggered):
    """Every rider's km to go in steps of `step_km` (a feed giving 100 m where the Race Center
    gives 10 m), rounded to the nearest step or cut to the step below, in every frame from
    where it strikes (a whole stage: `at_km_to_finish` its length or more)."""

    kind: Literal["coarse_km"] = "coarse_km"
    step_km: float = Field(default=0.1, ge=0.02, le=5.0)
    """The feed's step, in km."""
    how: Literal["round", "down"] = "round"
    """To the nearest step, or to the step at or below (towards the line)."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        step = self.step_km
        # A km on a step already stays there (19.3 / 0.1 is 192.99999999999997 in floats).
        to_step = round if self.how == "round" else lambda steps: math.floor(steps + 1e-9)
        struck = False
        for event in events:
            struck = struck or trigger.reached(event)
            if struck and isinstance(event, Telemetry) and event.riders:
                riders = tuple(
                    fix
                    if fix.km_to_finish is None or not math.isfinite(fix.km_to_finish / step)
                    else fix.model_copy(
                        update={"km_to_finish": round(to_step(fix.km_to_finish / step) * step, 6)}
                    )
                    for fix in event.riders
                )
                event = event.model_copy(update={"riders": riders})
                facts.changed.append(event.t)
            yield event


class KmOffset(Triggered):
    """Some riders' km to go sent `offset_km` further back (negative: ahead) than their GPS
    fixes, which stay where they are, for `duration_s` from where it strikes: a second timing
    source for a few riders, a map-matching on the wrong stretch of road."""

    kind: Literal["km_offset"] = "km_offset"
    offset_km: float = Field(default=0.8, ge=-5.0, le=5.0)
    """How far back their km to go is sent (km)."""
    riders: int = Field(default=1, ge=1, le=200)
    """How many riders."""
    which: Literal["front", "any"] = "front"
    """The first riders on the road where it strikes (the head of the race), or a seeded
    choice among them all."""
    duration_s: float = Field(default=1200.0, gt=0, le=24 * 3600)
    """For how long (s)."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        until: float | None = None
        bibs: set[Bib] = set()
        for event in events:
            if isinstance(event, Telemetry) and trigger.reached(event):
                until = event.t + self.duration_s
                road = [fix.bib for fix in placed(event)]
                chosen = (
                    road[: self.riders]
                    if self.which == "front"
                    else rng.sample(road, min(self.riders, len(road)))
                )
                bibs = set(chosen)
                facts.bibs.extend(sorted(bibs))
            if isinstance(event, Telemetry) and until is not None and event.t < until:
                riders = tuple(
                    fix.model_copy(
                        update={"km_to_finish": round(fix.km_to_finish + self.offset_km, 3)}
                    )
                    if fix.bib in bibs and fix.km_to_finish is not None and fix.km_to_finish > 0.0
                    else fix
                    for fix in event.riders
                )
                event = event.model_copy(update={"riders": riders})
                facts.changed.append(event.t)
            yield event
