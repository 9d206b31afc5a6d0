"""Engines part-way through a simulated stage, run once per test process and copied for each
test (the engine is deep-copyable): a test that marks riders or asks for a card at some point of
the race starts there instead of replaying the stage itself."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache

from race.engine import Race
from race.models import FeedEvent, Telemetry
from tests.support.stages import engine_settings, stage_events


@cache
def _engine_at(scenario: str, km: float) -> tuple[Race, int]:
    race = Race(engine_settings())
    for index, event in enumerate(stage_events(scenario)):
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if isinstance(event, Telemetry) and head is not None and head <= km:
            return race, index + 1
    raise AssertionError(f"the {scenario} stage's head never reaches {km} km to go")


def engine_at(scenario: str, km: float) -> tuple[Race, Iterator[FeedEvent]]:
    """A copy of the engine (default settings) at the first frame where the head is at or
    below `km` to go, and the stage's events after that frame."""
    race, applied = _engine_at(scenario, km)
    return copy.deepcopy(race), iter(stage_events(scenario)[applied:])


def apply_until(race: Race, events: Iterator[FeedEvent], km: float) -> float:
    """Apply `events` up to the first frame where the head is at or below `km` to go; that
    frame's time."""
    for event in events:
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if isinstance(event, Telemetry) and head is not None and head <= km:
            return event.t
    raise AssertionError(f"the head never reaches {km} km to go")
