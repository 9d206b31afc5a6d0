"""Replay pacing: deliver feed time at a speed factor of wall time, with pause and resume."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from race.models import Telemetry


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
        self._hurried = False

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def set_speed(self, speed: float) -> None:
        """Go on at `speed` from the feed time reached now (a replay sped up or slowed down
        mid-way neither jumps nor stalls)."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        if self._origin is not None and self.speed > 0:
            wall, feed = self._origin
            now = self._now()
            held = self._paused_at if self._paused_at is not None else now
            self._origin = (now, feed + (held - wall) * self.speed)
            if self._paused_at is not None:
                self._paused_at = now
        elif self._origin is not None:
            self._origin = None  # From as fast as possible: the next event sets the pace.
        self.speed = speed

    def hurry(self) -> None:
        """The wait under way (or the next one) ends at once."""
        self._hurried = True

    def restart(self) -> None:
        """Forget the pace: the next event is due at once and sets a new origin (after frames
        delivered at once, the replay resumes its pace from where it is)."""
        self._origin = None

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
        """Return when feed time `feed_t` is due; at once for a time that is not a number
        (NaN, infinite): no delay computed from it can ever end."""
        await self._running.wait()
        if self.speed == 0 or not math.isfinite(feed_t):
            await asyncio.sleep(0)
            return
        if self._origin is None:
            self._origin = (self._now(), feed_t)
            return
        while True:
            await self._running.wait()
            if self._hurried:
                self._hurried = False
                return
            wall, feed = self._origin
            delay = wall + (feed_t - feed) / self.speed - self._now()
            if delay <= 0 or not math.isfinite(delay):  # An overflow (1e308 s apart) too.
                return
            # Short sleeps so that a pause takes effect promptly.
            await asyncio.sleep(min(delay, 0.2))


JUMP_S = 3600.0
"""A frame this far in time from the one before is not paced: real feeds have holes of up to
ten minutes, not of an hour."""


class FeedTimeline:
    """The time each event is due on the replay clock: its own feed time, except where the
    feed's clock jumps (a recording's bad timestamp, a quirk). A time that is not a number,
    goes back, or jumps by more than `JUMP_S` is delivered at once, as a live feed would send
    it (a NaN never stalls the replay); two in a row in the new time move the clock there
    (yesterday's snapshot before the stream, the next stage of a relay)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._last: float | None = None
        self._candidate: float | None = None

    def due(self, t: float) -> float | None:
        """Feed time to wait for before sending an event stamped `t`; None: send it now."""
        if not math.isfinite(t):
            return None
        if self._last is None or 0 <= t - self._offset - self._last <= JUMP_S:
            self._last = t - self._offset
            self._candidate = None
            return self._last
        if self._candidate is not None and 0 <= t - self._candidate <= JUMP_S:
            self._offset = self._candidate - self._last
            self._last = t - self._offset
            self._candidate = None
            return self._last
        self._candidate = t
        return None


def head_km(frame: Telemetry) -> float | None:
    """Km to go of the head of the race in a frame (None: no rider with a distance)."""
    return min((f.km_to_finish for f in frame.riders if f.km_to_finish is not None), default=None)


class GoAhead:
    """A replay asked to go ahead during the replay (the app's time machine, past what has
    been delivered): frames before the head of the race reaches `km` to go are delivered at
    once, then the replay resumes its pace from there."""

    def __init__(self, clock: ReplayClock) -> None:
        """
        Args:
            clock: the replay's paced clock: its wait under way ends at a request, and it
                restarts where the replay gets to.
        """
        self._clock = clock
        self.km: float | None = None
        """Where the replay is going ahead to; None when it is not."""

    def request(self, km: float) -> None:
        self.km = km
        self._clock.hurry()  # The frame awaited now may be minutes away at a slow pace.

    def passing(self, frame: Telemetry) -> bool:
        """Whether `frame` is to be delivered at once; once the head gets there, the clock
        restarts from it."""
        if self.km is None:
            return False
        head = head_km(frame)
        if head is None or head > self.km:
            return True
        self.km = None
        self._clock.restart()
        return False
