"""Reading a feed without a screen: for `ardoise situation`, scripts and tests."""

from __future__ import annotations

from feeds.base import FeedAdapter
from race.engine import Race
from race.models import Telemetry
from race.settings import EngineSettings
from race.situation import Situation


async def read_situation(
    adapter: FeedAdapter, settings: EngineSettings, until: float | None = None
) -> Situation:
    """Apply the adapter's events up to feed time `until` (all of them if None)."""
    race = Race(settings)
    try:
        async for event in adapter.events():
            if until is not None and isinstance(event, Telemetry) and event.t > until:
                break
            race.apply(event)
    finally:
        await adapter.aclose()
    return race.situation
