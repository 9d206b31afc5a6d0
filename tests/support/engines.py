"""Engines part-way through a simulated stage, run once per test process and copied for each
test (the engine is deep-copyable, and a copy goes on as the original: test_engine_checkpoint):
a test that marks riders, asks for a card or starts an app at some point of the race starts
there instead of replaying the stage itself."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

from race.engine import Race
from race.models import FeedEvent, Telemetry
from race.settings import EngineSettings
from tests.support.stages import engine_settings, stage_events


@dataclass(frozen=True)
class Held:
    """An engine kept at a frame of a shared stage. Never handed out: tests get copies."""

    race: Race
    applied: int
    """How many of the stage's events it has applied (the next one is `stage_events[applied]`)."""
    t: float
    """The feed time of the last frame it applied."""
    head_km: float
    """The head's km to go in its situation."""


_HELD: dict[tuple[str, str], dict[float, Held]] = {}
"""Per stage and settings (as JSON), the engines kept, by the km mark they were asked for."""


def held_at(scenario: str, km: float, settings: EngineSettings) -> Held:
    """The engine (with `settings`) at the first frame where the head is at or below `km` to go.

    Each is run from the nearest engine already kept earlier in the stage, so every mark asked
    for on one stage and settings costs one pass over that stage in all, per test process.
    """
    kept = _HELD.setdefault((scenario, settings.model_dump_json()), {})
    if km in kept:
        return kept[km]
    # The first frame at or below a mark further out comes no later than the first at or below
    # `km`: the latest of those engines is where to go on from (or the answer already).
    start = max((held for mark, held in kept.items() if mark > km), key=_applied, default=None)
    if start is not None and start.head_km <= km:
        kept[km] = start
        return start
    race = copy.deepcopy(start.race) if start is not None else Race(settings)
    events = stage_events(scenario)
    for index in range(start.applied if start is not None else 0, len(events)):
        event = events[index]
        head = race.apply(event).head_km_to_finish
        if isinstance(event, Telemetry) and head is not None and head <= km:
            kept[km] = Held(race, index + 1, event.t, head)
            return kept[km]
    raise AssertionError(f"the {scenario} stage's head never reaches {km} km to go")


def _applied(held: Held) -> int:
    return held.applied


def engine_at(
    scenario: str, km: float, settings: EngineSettings | None = None
) -> tuple[Race, Iterator[FeedEvent]]:
    """A copy of the engine (default settings unless given) at the first frame where the head
    is at or below `km` to go, and the stage's events after that frame."""
    held = held_at(scenario, km, settings if settings is not None else engine_settings())
    return copy.deepcopy(held.race), iter(stage_events(scenario)[held.applied :])


def apply_until(race: Race, events: Iterator[FeedEvent], km: float) -> float:
    """Apply `events` up to the first frame where the head is at or below `km` to go; that
    frame's time."""
    for event in events:
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if isinstance(event, Telemetry) and head is not None and head <= km:
            return event.t
    raise AssertionError(f"the head never reaches {km} km to go")
