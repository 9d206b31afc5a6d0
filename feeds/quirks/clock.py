"""Quirks of the feed's clock and cadence: holes between runs of frames, frames stamped ahead,
a frame in milliseconds, a stamp stuck while the riders ride, the whole race standing a while
(a neutralisation), the whole stage a day off, a feed running on into the next stages."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from random import Random
from typing import Literal

from pydantic import Field

from feeds.quirks.base import QuirkFacts, QuirkOptions, Trigger, Triggered, retimed
from feeds.quirks.prestart import STANDING_NOISE_KM, offset
from race.models import FeedEvent, FeedStatus, RiderFix, StartList, Telemetry

DAY_S = 86400.0
WEEK_S = 7 * DAY_S


class Cadence(QuirkOptions):
    """Runs of frames at the feed's own cadence, then a hole: the Race Center's 6 s frames and
    36 s gaps. Applies to the whole stream."""

    kind: Literal["cadence"] = "cadence"
    run_s: float = Field(default=60.0, ge=0, le=3600)
    """How long each run of frames lasts, in seconds of feed time."""
    gap_s: float = Field(default=36.0, gt=0, le=3600)
    """The hole after each run: no frame for this long after the run's last one."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        run_start: float | None = None
        last_kept = -math.inf
        for event in events:
            if isinstance(event, Telemetry) and math.isfinite(event.t):
                if run_start is None or event.t - last_kept >= self.gap_s:
                    if run_start is None or event.t - run_start > self.run_s:
                        run_start = event.t
                elif event.t - run_start > self.run_s:
                    facts.removed.append(event.t)
                    continue
                last_kept = event.t
            yield event


class FutureFrame(Triggered):
    """Frames stamped in the future (one, a day ahead, by default); the next ones are on time."""

    kind: Literal["future_frame"] = "future_frame"
    offset_s: float = Field(default=DAY_S, gt=0, le=WEEK_S)
    """How far ahead of its time each frame is stamped, in seconds."""
    frames: int = Field(default=1, ge=1, le=1000)
    """How many frames in a row are stamped ahead."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        return _restamp(
            events, self.at_km_to_finish, facts, lambda t, _: t + self.offset_s, self.frames
        )


class Milliseconds(Triggered):
    """One frame stamped in milliseconds instead of seconds."""

    kind: Literal["milliseconds"] = "milliseconds"

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        return _restamp(events, self.at_km_to_finish, facts, lambda t, _: t * 1000)


class StuckClock(Triggered):
    """The feed's stamp stuck: `frames` frames in a row carry the first one's time while the
    riders ride on."""

    kind: Literal["stuck_clock"] = "stuck_clock"
    frames: int = Field(default=10, ge=2, le=1000)
    """How many frames carry the same time."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        return _restamp(events, self.at_km_to_finish, facts, lambda _, first: first, self.frames)


class Neutralised(Triggered):
    """The whole race standing (a neutralisation: a protest, a level crossing, the weather):
    from where it strikes, the riders' last fixes sent again every `cadence_s` for `duration_s`
    with a few metres of GPS noise and speeds of 0, the feed's own gaps as they were; then the
    race rides on, everything after `duration_s` later."""

    kind: Literal["neutralised"] = "neutralised"
    duration_s: float = Field(default=600.0, ge=60, le=4 * 3600)
    """How long the race stands, in seconds."""
    cadence_s: float = Field(default=6.0, gt=0, le=60)
    """The feed's frames while it stands, one every this many seconds."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        shift = 0.0
        for event in events:
            if shift:
                event = _shifted(event, shift)
            yield event
            if shift or not trigger.reached(event) or not isinstance(event, Telemetry):
                continue
            facts.offset_s = shift = self.duration_s
            for k in range(1, int(self.duration_s // self.cadence_s) + 1):
                standing = tuple(_standing(fix, rng) for fix in event.riders)
                t = event.t + k * self.cadence_s
                facts.added.append(t)
                yield event.model_copy(update={"t": t, "riders": standing})


def _standing(fix: RiderFix, rng: Random) -> RiderFix:
    """A standing rider's fix sent again: his place, a few metres of GPS noise, no speed."""
    update: dict[str, float] = {} if fix.speed_kmh is None else {"speed_kmh": 0.0}
    if fix.lat is not None and fix.lon is not None:
        noise = STANDING_NOISE_KM * rng.random()
        update["lat"], update["lon"] = offset((fix.lat, fix.lon), noise, rng.uniform(0, 360))
    return fix.model_copy(update=update)


class ShiftDay(QuirkOptions):
    """The whole stage at another time (a day later by default): every frame, every news item
    and the scheduled start."""

    phase = 3
    kind: Literal["shift"] = "shift"
    offset_s: float = Field(default=DAY_S, ge=-WEEK_S, le=WEEK_S)
    """How far the stage is moved, in seconds (negative: earlier)."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        facts.offset_s = self.offset_s
        for event in events:
            yield _shifted(event, self.offset_s)


class Relay(QuirkOptions):
    """A feed left running for days: the stage, then the same stage again each `offset_s`
    later, as the next stages (numbered on, each with its start list first)."""

    phase = 4
    kind: Literal["relay"] = "relay"
    stages: int = Field(default=2, ge=2, le=21)
    """How many stages the feed runs through."""
    offset_s: float = Field(default=DAY_S, gt=0, le=WEEK_S)
    """Time from one stage to the next, in seconds."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        facts.offset_s = self.offset_s
        stage: list[FeedEvent] = []
        for event in events:
            if not isinstance(event, FeedStatus):  # The adapter's own state is not replayed.
                stage.append(event)
            yield event
        for day in range(1, self.stages):
            offset = day * self.offset_s
            for event in stage:
                later = _shifted(event, offset)
                if isinstance(later, StartList) and later.stage.number is not None:
                    numbered = later.stage.model_copy(update={"number": later.stage.number + day})
                    later = later.model_copy(update={"stage": numbered})
                if isinstance(later, Telemetry):
                    facts.added.append(later.t)
                yield later


def _shifted(event: FeedEvent, offset_s: float) -> FeedEvent:
    if isinstance(event, StartList):
        scheduled = event.stage.scheduled_start
        if scheduled is None:
            return event
        stage = event.stage.model_copy(update={"scheduled_start": scheduled + offset_s})
        return event.model_copy(update={"stage": stage})
    if isinstance(event, FeedStatus):
        return event
    return retimed(event, event.t + offset_s)


def _restamp(
    events: Iterable[FeedEvent],
    at_km_to_finish: float | None,
    facts: QuirkFacts,
    stamp: Callable[[float, float], float],
    frames: int = 1,
) -> Iterator[FeedEvent]:
    """`events` with the `frames` frames from where the quirk strikes stamped `stamp(t, first)`
    instead of `t` (`first`: the first of them's own time)."""
    trigger = Trigger(at_km_to_finish)
    first: float | None = None
    left = 0
    for event in events:
        if trigger.reached(event):
            left = frames
        if left and isinstance(event, Telemetry):
            left -= 1
            first = event.t if first is None else first
            facts.original_times.append(event.t)
            event = event.model_copy(update={"t": stamp(event.t, first)})
            facts.changed.append(event.t)
        yield event
