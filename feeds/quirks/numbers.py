"""Numbers a feed should never send: NaN, infinities, 1e308, in a rider's fields or a frame's
time; speeds that are not the riders' (0 for a speed the feed does not have, metres a second)."""

from __future__ import annotations

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
