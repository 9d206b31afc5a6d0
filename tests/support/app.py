"""Helpers for tests of the app under Textual's pilot."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, ClassVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter, FeedOptions
from race.engine import Race
from race.models import FeedEvent
from race.settings import EngineSettings
from race.situation import Situation
from tests.support.engines import held_at
from tests.support.stages import NOISE_M, SEED, engine_settings, mountain_at, stage_events
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
    configuration's seed and noise; from its `after`-th event (an engine that applied the
    ones before goes with it: `held_on_stage`)."""

    def __init__(self, options: SimulatedOptions, *, after: int = 0) -> None:
        super().__init__(options)
        self._after = after

    def stage(self) -> Iterable[FeedEvent]:
        o = self.options
        if (o.seed, o.noise_m, o.cadence_s) == (SEED, NOISE_M, 6.0):
            return stage_events(o.scenario)[self._after :]
        assert self._after == 0, "only the shared stages can be resumed"
        return super().stage()


RESUME_KM = {"flat": 25.0, "mountain": 30.0}
"""Where the app of a test held later in the race starts: an engine that has applied the stage
up to the head's first frame at this km to go (`tests.support.engines.held_at`: run once per
test process and settings, then copied), so the app applies only the events after it instead of
the whole stage."""


def held_on_stage(
    scenario: str, hold_at: float | None, settings: EngineSettings, **app: Any
) -> ArdoiseApp:
    """The app on a shared simulated stage (speed 0) holding at feed time `hold_at` (None: to
    the end of the stage): its engine
    starts where `RESUME_KM` says when the hold is later, else at the stage's start. The engine
    is the same either way (a copied engine goes on as the original: test_engine_checkpoint),
    and so is what the screen shows."""
    held = held_at(scenario, RESUME_KM[scenario], settings)
    options = SimulatedOptions(scenario=scenario, seed=SEED, noise_m=NOISE_M, speed=0.0)
    if hold_at is not None and hold_at < held.t:
        return ArdoiseApp(SharedSimulatedFeed(options), settings, hold_at=hold_at, **app)
    return ArdoiseApp(
        SharedSimulatedFeed(options, after=held.applied),
        settings,
        hold_at=hold_at,
        race=copy.deepcopy(held.race),
        **app,
    )


SKIP_MARGIN_KM = 1.0
"""How far before its skip point the engine of an app skipping ahead (`skipping_feed`) starts:
the feed still skips (a few frames) before it says it is live."""


def skipping_feed(
    options: SimulatedOptions, settings: EngineSettings
) -> tuple[SharedSimulatedFeed, Race]:
    """A shared simulated stage that skips to `options.skip_to_km` and plays on at
    `options.speed`, from `SKIP_MARGIN_KM` before the skip point, and an engine (a copy, with
    `settings`) that has applied the events before: for an app that need not replay the stage
    from its start (a copied engine goes on as the original). The app's first picture is that
    engine's situation: a test of what the skip draws first starts at the stage's start."""
    assert options.skip_to_km is not None, "a feed that skips ahead"
    held = held_at(options.scenario, options.skip_to_km + SKIP_MARGIN_KM, settings)
    return SharedSimulatedFeed(options, after=held.applied), copy.deepcopy(held.race)


def mountain_app(
    theme: str, *, keys: tuple[str, ...] = (), screen: type[Screen[Any]] | None = None
) -> tuple[ArdoiseApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    """The app held on the mountain stage at 20 km to go (for snapshots), and the `run_before`
    that waits for that frame, presses `keys` and waits for `screen` to open."""
    hold_at, _ = mountain_at(20.0)
    app = held_on_stage(
        "mountain",
        hold_at,
        engine_settings(),
        feed_label="simulated",
        theme=theme,
        monotonic=lambda: 0.0,
    )

    async def until_held(pilot: Pilot[Any]) -> None:
        await wait_for(lambda: app.situation.t == hold_at)
        app.clear_notifications()
        for key in keys:
            await pilot.press(key)
        if screen is not None:
            await wait_for(lambda: isinstance(app.screen, screen))
        for widget in app.screen.walk_children():
            widget.refresh()
        await pilot.pause()

    return app, until_held
