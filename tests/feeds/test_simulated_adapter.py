"""The simulated feed as an adapter: its options checked and documented, a whole stage drained
at speed 0, pausing, and skipping to a km.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import suppress

import pytest
from pydantic import ValidationError

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter, FeedOptions
from feeds.simulation import simulate
from race.models import FeedEvent, FeedStatus, StartList, Telemetry
from tests.support.docstrings import field_docstrings
from tests.support.stages import SEED
from tests.support.waiting import loop_turns

pytestmark = pytest.mark.slow


def test_options_defaults_and_documentation() -> None:
    options = SimulatedOptions()
    assert (
        options.scenario,
        options.seed,
        options.speed,
        options.cadence_s,
        options.noise_m,
        options.skip_to_km,
    ) == ("flat", 2026, 20, 6, 4, None)
    documented = field_docstrings(SimulatedOptions)
    for name in SimulatedOptions.model_fields:
        assert documented.get(name), f"option {name} has no docstring"
    assert SimulatedFeed.name == "simulated"
    assert SimulatedFeed.Options is SimulatedOptions
    assert SimulatedFeed.capabilities.pause


@pytest.mark.parametrize(
    "bad",
    [
        {"sped": 2},
        {"speed": -1},
        {"speed": 101},
        {"cadence_s": 0.5},
        {"cadence_s": 61},
        {"noise_m": -1},
        {"scenario": "gravel"},
        {"skip_to_km": -3},
        {"seed": "abc"},
    ],
)
def test_options_reject_bad_values(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SimulatedOptions.model_validate(bad)


def test_adapter_needs_its_own_options() -> None:
    adapter: type[FeedAdapter] = SimulatedFeed  # As the registry hands it out: any adapter.
    with pytest.raises(TypeError, match="SimulatedFeed needs SimulatedOptions, not FeedOptions"):
        adapter(FeedOptions())


@pytest.mark.parametrize(
    ("scenario", "cadence_s", "noise_m"), [("gravel", 6, 4), ("flat", 0, 4), ("flat", 6, -1)]
)
def test_simulate_rejects_bad_arguments_at_once(
    scenario: str, cadence_s: float, noise_m: float
) -> None:
    with pytest.raises(ValueError, match=r"scenario|cadence|noise"):
        simulate(scenario, SEED, cadence_s=cadence_s, noise_m=noise_m)


async def test_speed_zero_drains_the_whole_stage() -> None:
    feed = SimulatedFeed(SimulatedOptions(scenario="mountain", speed=0, cadence_s=60))
    events = [event async for event in feed.events()]
    first, second, last = events[0], events[1], events[-1]
    assert isinstance(first, FeedStatus)
    assert first.state == "live"
    assert first.detail == "simulated mountain stage, seed 2026"
    assert isinstance(second, StartList)
    assert isinstance(last, FeedStatus)
    assert last.state == "ended"
    frames = [e for e in events if isinstance(e, Telemetry)]
    expected = sum(isinstance(e, Telemetry) for e in simulate("mountain", SEED, cadence_s=60))
    assert len(frames) == expected
    assert all(fix.finished for fix in frames[-1].riders)


class Consumer:
    """Reads a feed in a background task, as the app does, recording what arrives."""

    def __init__(self, feed: SimulatedFeed) -> None:
        self.feed = feed
        self.events: list[FeedEvent] = []
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        stream = self.feed.events()
        try:
            async for event in stream:
                self.events.append(event)
                self.arrived.set()
        finally:
            if isinstance(stream, AsyncGenerator):
                await stream.aclose()

    @property
    def frames(self) -> list[Telemetry]:
        return [e for e in self.events if isinstance(e, Telemetry)]

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Return once `condition()` holds, checked after each event (callers set a timeout)."""
        while not condition():
            self.arrived.clear()
            await self.arrived.wait()

    async def stop(self) -> None:
        self.task.cancel()
        with suppress(asyncio.CancelledError):
            await self.task


@pytest.fixture
async def consumers() -> AsyncIterator[list[Consumer]]:
    """Consumers started by a test, stopped when it ends (even when it fails)."""
    started: list[Consumer] = []
    yield started
    for consumer in started:
        await consumer.stop()


async def test_pause_holds_delivery(consumers: list[Consumer]) -> None:
    # Speed 0: unpaused, an event every loop turn, so loop turns measure the hold, not a clock.
    feed = SimulatedFeed(SimulatedOptions(speed=0, cadence_s=6, noise_m=0))
    reader = Consumer(feed)
    consumers.append(reader)
    async with asyncio.timeout(10):
        await reader.wait_for(lambda: len(reader.frames) >= 3)
    feed.pause()
    await loop_turns()  # an event already due when pausing may still arrive
    held = len(reader.events)
    await loop_turns()  # a hundred events' worth at this speed
    assert len(reader.events) == held
    feed.resume()
    async with asyncio.timeout(2):
        await reader.wait_for(lambda: len(reader.events) > held)


async def test_skip_to_km_delivers_the_early_frames_at_once(consumers: list[Consumer]) -> None:
    def head(frame: Telemetry) -> float:
        return min(fix.km_to_finish or 0.0 for fix in frame.riders)

    skipped = sum(
        isinstance(e, Telemetry) and head(e) > 20
        for e in simulate("flat", SEED, cadence_s=60, noise_m=0)
    )
    feed = SimulatedFeed(SimulatedOptions(speed=1, cadence_s=60, noise_m=0, skip_to_km=20))
    reader = Consumer(feed)
    consumers.append(reader)
    async with asyncio.timeout(10):
        await reader.wait_for(lambda: len(reader.frames) >= skipped + 1)
    # Real time from here: the next frame is a minute away. Still skipping, it would come at
    # once (an event per loop turn).
    await loop_turns()
    frames = reader.frames
    assert len(frames) == skipped + 1
    assert head(frames[-2]) > 20 >= head(frames[-1])
