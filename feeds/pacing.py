"""Replay pacing: deliver feed time at a speed factor of wall time, with pause and resume."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class ReplayClock:
    """Maps feed time (UNIX s) to wall time at `speed` x real time.

    `speed = 0` delivers as fast as possible (still yielding to the event loop). The first
    paced event fixes the origin; `pause()` holds `wait_until` until `resume()`, and the time
    spent paused is added to the origin so the replay continues where it stopped.
    """

    def __init__(self, speed: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.speed = speed
        self._now = monotonic
        self._origin: tuple[float, float] | None = None  # (wall, feed)
        self._paused_at: float | None = None
        self._running = asyncio.Event()
        self._running.set()

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self._now()
            self._running.clear()

    def resume(self) -> None:
        if self._paused_at is not None:
            if self._origin is not None:
                wall, feed = self._origin
                self._origin = (wall + self._now() - self._paused_at, feed)
            self._paused_at = None
            self._running.set()

    async def wait_until(self, feed_t: float) -> None:
        """Return when feed time `feed_t` is due."""
        await self._running.wait()
        if self.speed == 0:
            await asyncio.sleep(0)
            return
        if self._origin is None:
            self._origin = (self._now(), feed_t)
            return
        while True:
            await self._running.wait()
            wall, feed = self._origin
            delay = wall + (feed_t - feed) / self.speed - self._now()
            if delay <= 0:
                return
            # Short sleeps so that a pause takes effect promptly.
            await asyncio.sleep(min(delay, 0.2))
