"""The replay clock: feed time paced at a speed, held by a pause, on a clock the test turns."""

from __future__ import annotations

import asyncio

from feeds.pacing import ReplayClock
from tests.support.waiting import loop_turns, until


class Hands:
    """A monotonic clock that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_pause_holds_a_paced_wait_and_is_not_counted() -> None:
    hands = Hands()
    clock = ReplayClock(60.0, monotonic=hands)
    await clock.wait_until(1000.0)  # The first event fixes the origin.
    clock.pause()
    hands.now += 10.0  # The next frame (6 s of race, 0.1 s at 60x) is long overdue...
    frame = asyncio.create_task(clock.wait_until(1006.0))
    await loop_turns()
    assert not frame.done(), "...but paused"
    clock.resume()
    await loop_turns()
    assert not frame.done(), "the 10 s paused do not count: the frame is still 0.1 s away"
    hands.now += 0.1
    await until(frame.done, within=5, what="the frame, once due")


async def test_a_time_that_is_not_a_number_is_due_at_once() -> None:
    hands = Hands()
    clock = ReplayClock(0.5, monotonic=hands)  # Half speed: 1.7e308 s of feed overflow.
    # Before the origin is fixed: it is not fixed by a NaN (the next real time fixes it).
    for first in (float("nan"), float("inf")):
        await asyncio.wait_for(clock.wait_until(first), timeout=5)
    await clock.wait_until(1000.0)
    for t in (float("nan"), float("inf"), float("-inf"), 1.7e308):
        # The clock never moves: only an immediate return ends these waits.
        await asyncio.wait_for(clock.wait_until(t), timeout=5)
    later = asyncio.create_task(clock.wait_until(1005.0))
    await loop_turns()
    assert not later.done(), "the origin is still the first real time: 10 s to wait"
    hands.now += 10.0
    await until(later.done, within=5, what="the frame 5 s of feed later, once due")
