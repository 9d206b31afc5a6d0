"""The real recordings (`STAGE_5`, `STAGE_16`) as the recording adapter replays them, and one
pass of the engine over each: read and run once per test process for the many tests that read
the same stage untouched (a recording costs a second or two to read, its run several more)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from race.engine import Race
from race.models import FeedEvent, Telemetry
from race.situation import Situation
from tests.support.stages import engine_settings, kept


@cache
def replayed(path: Path) -> tuple[FeedEvent, ...]:
    """The recording's events as the recording adapter delivers them at speed 0 (its own
    statuses included). Not from inside a running event loop: reading runs one of its own."""

    async def read() -> tuple[FeedEvent, ...]:
        feed = RecordingFeed(RecordingOptions(path=path, speed=0))
        return tuple([event async for event in feed.events()])

    return kept(asyncio.run(read()))


@dataclass(frozen=True)
class RecordingRun:
    """The engine (default settings) over a recording's events (`replayed`)."""

    events: tuple[FeedEvent, ...]
    after_each: tuple[Situation, ...]
    """The situation after each event: `after_each[i]` follows `events[i]`."""

    @property
    def last(self) -> Situation:
        return self.after_each[-1]

    def frames(self) -> list[tuple[Telemetry, Situation]]:
        """Each frame and the situation after it."""
        pairs = zip(self.events, self.after_each, strict=True)
        return [(e, s) for e, s in pairs if isinstance(e, Telemetry)]


@cache
def recording_run(path: Path) -> RecordingRun:
    events = replayed(path)
    race = Race(engine_settings())
    return kept(RecordingRun(events, tuple(race.apply(event) for event in events)))
