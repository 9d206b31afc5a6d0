"""A start list sent again for the same stage changes nothing already learned.

The Race Center adapter sends the start list as soon as the riders and stages are in, and again
when the route or the climbs come later (`feeds.racecenter.bootstrap`); a relay can send it again
on reconnection. The time limit's learned losses, the riders' statuses and a time trial's best
times along the course must survive it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from race.engine import Race
from race.models import FeedEvent, StartList
from tests.support.recordings import recording_run
from tests.support.stages import (
    STAGE_16,
    engine_settings,
    middle_frame,
    needs_stage_16,
    stage_events,
    stage_run,
)


def _with_start_list_again(events: Sequence[FeedEvent]) -> list[FeedEvent]:
    """The events with the first start list sent again halfway through the frames."""
    start = next(e for e in events if isinstance(e, StartList))
    middle = middle_frame(events)
    return [*events[:middle], start, *events[middle:]]


def _last_json(events: Sequence[FeedEvent], race: Race | None = None) -> str:
    """The last situation of `race` (a new engine by default) after `events`."""
    race = race if race is not None else Race(engine_settings())
    for event in events:
        race.apply(event)
    return race.situation.model_dump_json(exclude={"events_applied"})


def test_the_mountain_stage_keeps_its_time_limit() -> None:
    run = stage_run("mountain")  # The same settings, run once per test process.
    assert run.last is not None
    assert run.halfway is not None
    # Up to the middle the events are the untouched run's: its engine there goes on.
    events = stage_events("mountain")
    middle = middle_frame(events)
    again = _last_json(_with_start_list_again(events)[middle:], copy.deepcopy(run.halfway))
    assert again == run.last.model_dump_json(exclude={"events_applied"})


@needs_stage_16
def test_a_time_trial_keeps_its_best_times() -> None:
    untouched = recording_run(STAGE_16)  # The same settings, run once per test process.
    again = _last_json(_with_start_list_again(untouched.events))
    assert again == untouched.last.model_dump_json(exclude={"events_applied"})
