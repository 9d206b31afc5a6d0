"""Helpers for tests of the app under Textual's pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import ClassVar

from textual.widgets import Static

from feeds.adapters.simulated import SimulatedFeed
from feeds.base import FeedAdapter, FeedOptions
from race.models import FeedEvent
from race.situation import Situation
from tests.support.stages import NOISE_M, SEED, stage_events
from tui.app import ArdoiseApp
from tui.messages import SituationUpdated
from tui.widgets.header import RaceHeader

POLL_S = 0.05


async def wait_for(condition: Callable[[], bool], within: float = 60.0) -> None:
    """Poll `condition()` until true (pilot.pause costs at least 20 ms; poll the loop instead).

    The limits are generous: they only bound a failing test, and a loaded machine is slow.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(POLL_S)


async def holds(condition: Callable[[], bool], for_s: float) -> None:
    """Assert that `condition()` stays true for `for_s` seconds; fail as soon as it does not."""
    deadline = time.monotonic() + for_s
    while time.monotonic() < deadline:
        assert condition(), "condition no longer holds"
        await asyncio.sleep(POLL_S)
    assert condition(), "condition no longer holds"


def header_text(app: ArdoiseApp, part: str) -> str:
    return str(app.query_one(RaceHeader).query_one(f"#{part}", Static).render())


class ScriptedFeed(FeedAdapter):
    """Delivers what the test puts in its queue; `None` ends it. Left empty, it stays silent."""

    name: ClassVar[str] = "scripted"
    Options: ClassVar[type[FeedOptions]] = FeedOptions

    def __init__(self) -> None:
        super().__init__(FeedOptions())
        self.queue: asyncio.Queue[FeedEvent | None] = asyncio.Queue()

    async def events(self) -> AsyncIterator[FeedEvent]:
        while (event := await self.queue.get()) is not None:
            yield event


async def post_situation(app: ArdoiseApp, situation: Situation, received_at: float = 0.0) -> None:
    """Hand `situation` to the app as its feed worker does (received at `received_at` on the
    app's clock), and wait until it is on screen: a situation computed once serves many tests,
    where replaying the stage through the app would run the engine again."""
    app.post_message(SituationUpdated(situation, received_at, data_at=received_at))
    await wait_for(lambda: app.situation is situation)


class SharedSimulatedFeed(SimulatedFeed):
    """The `simulated` adapter as it is (pacing, pause, skip, statuses) on the stage simulated
    once per test process (`tests.support.stages.stage_events`), for the embedded
    configuration's seed and noise."""

    def stage(self) -> Iterable[FeedEvent]:
        o = self.options
        if (o.seed, o.noise_m, o.cadence_s) == (SEED, NOISE_M, 6.0):
            return stage_events(o.scenario)
        return super().stage()
