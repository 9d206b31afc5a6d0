"""Quirks of the riders in the frames: one rider's ghost fix, a GPS resync that moves him back for
good, a rider who vanishes from the frames for a while, a rider's last fix sent again for a
while, a rider's km to go stuck while he rides on, frames that carry only part of the field, the
first riders lost before the line."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from random import Random
from typing import Literal

from pydantic import Field, model_validator

from feeds.quirks.base import (
    OneRider,
    QuirkFacts,
    QuirkOptions,
    RoutePath,
    Trigger,
    Triggered,
    moved,
    pick_rider,
    placed,
    with_fix,
    without,
)
from race.models import Bib, FeedEvent, RiderFix, StartList, Telemetry


class Ghost(OneRider):
    """One rider, in one frame, kilometres from where he is, with a GPS fix that agrees."""

    kind: Literal["ghost"] = "ghost"
    km: float = Field(default=5.0, gt=0, le=100)
    """How far from where he really is the feed puts him, in km."""
    direction: Literal["ahead", "behind"] = "ahead"
    """Ahead of himself (towards the line) or behind."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        route = RoutePath(None)
        previous: dict[Bib, RiderFix] = {}
        for event in events:
            if isinstance(event, StartList):
                route = RoutePath(event.stage)
            if trigger.reached(event) and isinstance(event, Telemetry):
                fix = pick_rider(event, rng, self.bib)
                if fix is not None and fix.km_to_finish is not None:
                    sign = -1.0 if self.direction == "ahead" else 1.0
                    km = max(0.0, fix.km_to_finish + sign * self.km)
                    event = with_fix(event, moved(fix, km, route, previous.get(fix.bib)))
                    facts.changed.append(event.t)
                    facts.bibs.append(fix.bib)
                    facts.km_to_finish = round(km, 2)
                    facts.true_km_to_finish = fix.km_to_finish
            if isinstance(event, Telemetry):
                previous.update((fix.bib, fix) for fix in event.riders)
            yield event


class Resync(OneRider):
    """A GPS resync: one rider's position jumps back and stays there for the rest of the stage.

    The feed's own gap for him (`feed_gap_s`) is withdrawn: the organiser's would be timed at
    the point where the feed now puts him, on the head's passage there, which a shifted fix
    cannot reproduce (a fixed delay is wrong by tens of seconds wherever the pace changes)."""

    kind: Literal["resync"] = "resync"
    km: float = Field(default=1.0, gt=0, le=20)
    """How far back the resync moves him, in km."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        route = RoutePath(None)
        previous: dict[Bib, RiderFix] = {}
        bib: Bib | None = None
        for event in events:
            if isinstance(event, StartList):
                route = RoutePath(event.stage)
            if trigger.reached(event) and isinstance(event, Telemetry):
                fix = pick_rider(event, rng, self.bib)
                if fix is not None and fix.km_to_finish is not None:
                    bib = fix.bib
                    facts.bibs.append(bib)
                    facts.km_to_finish = round(fix.km_to_finish + self.km, 2)
                    facts.true_km_to_finish = fix.km_to_finish
            if isinstance(event, Telemetry):
                true = {fix.bib: fix for fix in event.riders}
                if bib is not None:
                    event = self._moved_back(event, bib, route, previous.get(bib), facts)
                previous.update(true)
            yield event

    def _moved_back(
        self,
        frame: Telemetry,
        bib: Bib,
        route: RoutePath,
        before: RiderFix | None,
        facts: QuirkFacts,
    ) -> Telemetry:
        fix = next((f for f in frame.riders if f.bib == bib), None)
        if fix is None or fix.finished or fix.km_to_finish is None:
            return frame
        if not math.isfinite(fix.km_to_finish):
            return frame
        back = moved(fix, fix.km_to_finish + self.km, route, before)
        back = back.model_copy(update={"feed_gap_s": None})
        facts.changed.append(frame.t)
        return with_fix(frame, back)


class Vanish(OneRider):
    """A rider missing from every frame for a while, then back."""

    kind: Literal["vanish"] = "vanish"
    duration_s: float = Field(default=150.0, gt=0, le=3600)
    """How long he is missing, in seconds of feed time."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        bib: Bib | None = None
        since = math.inf
        for event in events:
            if trigger.reached(event) and isinstance(event, Telemetry):
                fix = pick_rider(event, rng, self.bib)
                if fix is not None:
                    bib, since = fix.bib, event.t
                    facts.bibs.append(bib)
            if (
                isinstance(event, Telemetry)
                and bib is not None
                and since <= event.t < since + self.duration_s
                and any(fix.bib == bib for fix in event.riders)
            ):
                event = without(event, (bib,))
                facts.removed.append(event.t)
            yield event


class Blind(Triggered):
    """The feed loses the first riders before the line (the tracking stops under the last
    kilometre's structures, or the front riders' devices drop out): from the frame where the
    head of the race is `at_km_to_finish` from the line, the first `riders` of that frame
    are missing from every frame after it, to the end."""

    kind: Literal["blind"] = "blind"
    at_km_to_finish: float | None = Field(default=0.5, ge=0)
    riders: int = Field(default=20, ge=1, le=500)
    """How many of the first riders are lost (500: every rider)."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        lost: set[Bib] = set()
        for event in events:
            if trigger.reached(event) and isinstance(event, Telemetry):
                lost = {fix.bib for fix in placed(event)[: self.riders]}
                facts.bibs.extend(sorted(lost))
            if isinstance(event, Telemetry) and any(fix.bib in lost for fix in event.riders):
                event = without(event, lost)
                facts.removed.append(event.t)
            yield event


class Freeze(OneRider):
    """A rider's last fix sent again for a while (his device sends no new one): the same km,
    position and speed in every frame, then his real fix again. The Race Center does it for a
    frame now and then (18 times in the Pau stage, 114 in the time trial)."""

    kind: Literal["freeze"] = "freeze"
    duration_s: float = Field(default=300.0, gt=0, le=3600)
    """How long his fix stays the same, in seconds of feed time."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        frozen: RiderFix | None = None
        since = math.inf
        for event in events:
            if trigger.reached(event) and isinstance(event, Telemetry):
                frozen = pick_rider(event, rng, self.bib)
                if frozen is not None:
                    since = event.t
                    facts.bibs.append(frozen.bib)
                    facts.km_to_finish = frozen.km_to_finish
            elif (
                frozen is not None
                and isinstance(event, Telemetry)
                and since < event.t < since + self.duration_s
                and any(fix.bib == frozen.bib for fix in event.riders)
            ):
                event = with_fix(event, frozen)
                facts.changed.append(event.t)
            yield event


class Stuck(OneRider):
    """A rider's km to go stuck for a while as he rides on, then where he is again: his GPS
    position and speed go on, only the km stays. The Race Center did it on the Pau stage to
    two riders of the bunch who left the route's trace at 10.45 km to go (48 s, at 55 to
    83 km/h, then a jump of 0.94 km). His `feed_gap_s` is left as it was: the reference a
    replay's gaps are measured against (the real feed's grew from 3 to 49 s with the km)."""

    kind: Literal["stuck"] = "stuck"
    duration_s: float = Field(default=60.0, gt=0, le=3600)
    """How long his km to go stays the same, in seconds of feed time."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        trigger = Trigger(self.at_km_to_finish)
        bib: Bib | None = None
        km: float | None = None
        since = math.inf
        for event in events:
            if trigger.reached(event) and isinstance(event, Telemetry):
                fix = pick_rider(event, rng, self.bib)
                if fix is not None and fix.km_to_finish is not None:
                    bib, km, since = fix.bib, fix.km_to_finish, event.t
                    facts.bibs.append(bib)
                    facts.km_to_finish = km
            elif isinstance(event, Telemetry) and since < event.t < since + self.duration_s:
                fix = next((f for f in event.riders if f.bib == bib), None)
                if fix is not None and not fix.finished:
                    event = with_fix(event, fix.model_copy(update={"km_to_finish": km}))
                    facts.changed.append(event.t)
            yield event


class Thin(QuirkOptions):
    """Frames that carry only part of the field (a real feed sent ~30 of 180 riders in some):
    now and then, a short run of frames keeps only `riders` of them, the others absent from
    those frames and back in the next full one. Applies to the whole race."""

    kind: Literal["thin"] = "thin"
    riders: int = Field(default=30, ge=1, le=500)
    """How many riders a thin frame keeps."""
    which: Literal["front", "any"] = "front"
    """The first riders on the road, or a seeded choice among them all."""
    frames: int = Field(default=2, ge=1, le=100)
    """Thin frames in a row."""
    every_frames: int = Field(default=40, ge=2, le=10_000)
    """A run of thin frames starts every this many frames (more than `frames`: a feed that
    never sends the whole field is another matter)."""

    @model_validator(mode="after")
    def _some_frames_whole(self) -> Thin:
        if self.every_frames <= self.frames:
            raise ValueError("every_frames must be more than frames")
        return self

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        index = 0
        for event in events:
            if isinstance(event, Telemetry) and len(event.riders) > self.riders:
                if index % self.every_frames < self.frames:
                    if self.which == "front":
                        kept = {fix.bib for fix in placed(event)[: self.riders]}
                    else:
                        kept = set(rng.sample([fix.bib for fix in event.riders], self.riders))
                    riders = tuple(fix for fix in event.riders if fix.bib in kept)
                    event = event.model_copy(update={"riders": riders})
                    facts.changed.append(event.t)
                index += 1
            yield event


class Double(QuirkOptions):
    """A second source for some riders (a spare device, a stale relay beside the live one):
    now and then a frame gives them a second fix, `behind_km` behind the live one with a GPS fix
    that agrees, after it or before it. Applies to the whole race."""

    kind: Literal["double"] = "double"
    share: float = Field(default=0.05, gt=0, le=1)
    """The riders on the road given a second fix in such a frame, a seeded choice."""
    every_frames: int = Field(default=3, ge=1, le=10_000)
    """One frame in this many has second fixes."""
    behind_km: float = Field(default=2.0, ge=0, le=100)
    """How far behind the live fix the second one is."""
    first: bool = False
    """The second source's fix comes before the live one in the frame."""

    def apply(
        self, events: Iterable[FeedEvent], rng: Random, facts: QuirkFacts
    ) -> Iterator[FeedEvent]:
        route = RoutePath(None)
        index = 0
        for event in events:
            if isinstance(event, StartList):
                route = RoutePath(event.stage)
            if isinstance(event, Telemetry):
                on_road = placed(event)
                if index % self.every_frames == 0 and on_road:
                    chosen = rng.sample(on_road, max(1, round(len(on_road) * self.share)))
                    stale = tuple(
                        moved(fix, (fix.km_to_finish or 0.0) + self.behind_km, route, None)
                        for fix in chosen
                    )
                    riders = stale + event.riders if self.first else event.riders + stale
                    facts.changed.append(event.t)
                    facts.bibs.extend(fix.bib for fix in chosen)
                    event = event.model_copy(update={"riders": riders})
                index += 1
            yield event
