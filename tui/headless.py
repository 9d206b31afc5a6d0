"""Reading a feed without a screen: for `ardoise situation`, scripts and tests."""

from __future__ import annotations

import asyncio

from feeds.base import FeedAdapter, FeedError
from race.engine import Race
from race.models import FeedStatus, Telemetry
from race.settings import EngineSettings
from race.situation import Situation
from race.wording import counted


class FeedTimeout(FeedError):
    """The feed sent no data for the time allowed (a network feed retries forever)."""


async def read_situation(
    adapter: FeedAdapter,
    settings: EngineSettings,
    until: float | None = None,
    *,
    until_km: float | None = None,
    idle_timeout_s: float | None = None,
) -> Situation:
    """Apply the adapter's events up to feed time `until` (all of them if None), or until the
    head of the race is at or inside `until_km` from the line (the first event that brings it
    there is applied), whichever comes first.

    Raises `FeedTimeout` when no data event (statuses do not count: a feed that cannot connect
    keeps saying so) comes for `idle_timeout_s`; its message says what was being waited for.
    """
    race = Race(settings)
    received = 0
    last_status: FeedStatus | None = None
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(None) as deadline:
            if idle_timeout_s is not None:
                deadline.reschedule(loop.time() + idle_timeout_s)
            async for event in adapter.events():
                if isinstance(event, FeedStatus):
                    last_status = event
                elif idle_timeout_s is not None:
                    received += 1
                    deadline.reschedule(loop.time() + idle_timeout_s)
                if until is not None and isinstance(event, Telemetry) and event.t > until:
                    break
                situation = race.apply(event)
                head = situation.head_km_to_finish
                if until_km is not None and head is not None and head <= until_km:
                    break
    except TimeoutError:
        raise FeedTimeout(_waited(idle_timeout_s or 0, received, last_status)) from None
    finally:
        await adapter.aclose()
    return race.situation


def _waited(timeout_s: float, received: int, status: FeedStatus | None) -> str:
    what = "no data" if received == 0 else f"no data after {counted(received, 'event')}"
    last = ""
    if status is not None:
        said = status.detail or status.state
        last = f" (last: {said if said.startswith(status.state) else f'{status.state}: {said}'})"
    return f"{what} for {timeout_s:g} s, giving up{last}"
