"""A replay's speed changed mid-way and a replay asked to go ahead (the app's time machine):
on a clock the test turns, and on the adapters themselves."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter
from feeds.format.jsonl import encode
from feeds.pacing import ReplayClock, head_km
from race.models import FeedEvent, Telemetry
from tests.feeds.test_pacing import Hands
from tests.support.stages import stage_events
from tests.support.waiting import loop_turns, until


async def test_a_new_speed_goes_on_from_the_feed_time_reached() -> None:
    hands = Hands()
    clock = ReplayClock(10.0, monotonic=hands)
    await clock.wait_until(1000.0)
    hands.now = 5.0  # 50 s of feed at 10x...
    clock.set_speed(20.0)  # ...then twice as fast: 100 s more of feed take 5 s.
    frame = asyncio.create_task(clock.wait_until(1150.0))
    await loop_turns()
    assert not frame.done()
    hands.now = 9.9
    await loop_turns()
    assert not frame.done()
    hands.now = 10.0
    await until(frame.done, within=5, what="the frame at its new time")


async def test_a_speed_changed_while_paused_keeps_the_pause_out() -> None:
    hands = Hands()
    clock = ReplayClock(10.0, monotonic=hands)
    await clock.wait_until(1000.0)
    hands.now = 1.0  # Feed 1010.
    clock.pause()
    hands.now = 31.0
    clock.set_speed(5.0)
    hands.now = 61.0
    clock.resume()  # 60 s paused: not counted. 1010 + 5 x (wall since resume).
    frame = asyncio.create_task(clock.wait_until(1020.0))
    hands.now = 62.9
    await loop_turns()
    assert not frame.done()
    hands.now = 63.0
    await until(frame.done, within=5, what="the frame 2 s after the resume")


def flat_start(count: int) -> list[FeedEvent]:
    return list(itertools.islice(stage_events("flat"), count))


async def ahead_then_paced(feed: FeedAdapter, ahead_km: float) -> tuple[float, float]:
    """Read `feed` (paced slowly) to its first frame with a head and, while it waits for the
    next one, ask it to go ahead to `ahead_km` km: how long it took to get there (wall s) and
    the head's km there."""
    events = feed.events()
    async for event in events:
        if isinstance(event, Telemetry) and head_km(event) is not None:
            break
    waiting = asyncio.ensure_future(anext(events))
    await loop_turns()
    assert not waiting.done()  # The next frame is seconds away...
    feed.go_ahead_to_km(ahead_km)
    started = time.monotonic()
    await waiting  # ...and comes at once when asked to go ahead.
    async for event in events:
        km = head_km(event) if isinstance(event, Telemetry) else None
        if km is not None and km <= ahead_km:
            took = time.monotonic() - started
            # Back at its pace: the next frame is not delivered at once.
            pending = asyncio.ensure_future(anext(events))
            await loop_turns()
            assert not pending.done()
            pending.cancel()
            await feed.aclose()
            return took, km
    raise AssertionError("the feed ended before it got there")


async def test_a_simulated_stage_goes_ahead_then_resumes_its_pace() -> None:
    feed = SimulatedFeed(SimulatedOptions(speed=0.5))  # A frame every 12 s.
    took, km = await ahead_then_paced(feed, 170.0)
    assert took < 30  # Some 60 frames: 10 minutes at its pace.
    assert 169.0 < km <= 170.0
    assert feed.speed == 0.5


async def test_a_recording_goes_ahead_then_resumes_its_pace(tmp_path: Path) -> None:
    path = tmp_path / "start.jsonl"
    lines = [encode(event, 0.0) for event in flat_start(300)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feed = RecordingFeed(RecordingOptions(path=path, speed=0.5))
    took, km = await ahead_then_paced(feed, 172.0)
    assert took < 30
    assert 171.0 < km <= 172.0
    feed.set_speed(4.0)
    assert feed.speed == 4.0
    assert feed.max_speed == 1000.0
    assert SimulatedFeed(SimulatedOptions()).max_speed == 100.0
