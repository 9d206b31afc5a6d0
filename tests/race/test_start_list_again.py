"""A start list sent again for the same stage changes nothing already learned.

The Race Center adapter sends the start list as soon as the riders and stages are in, and again
when the route or the climbs come later (`feeds.racecenter.bootstrap`); a relay can send it again
on reconnection. The time limit's learned losses, the riders' statuses and a time trial's best
times along the course must survive it.
"""

from __future__ import annotations

from collections.abc import Sequence

from race.engine import Race
from race.models import FeedEvent, StartList, Telemetry
from tests.support.recordings import recording_run
from tests.support.stages import STAGE_16, engine_settings, needs_stage_16, stage_events, stage_run


def _with_start_list_again(events: Sequence[FeedEvent]) -> list[FeedEvent]:
    """The events with the first start list sent again halfway through the frames."""
    start = next(e for e in events if isinstance(e, StartList))
    frames = [i for i, e in enumerate(events) if isinstance(e, Telemetry)]
    middle = frames[len(frames) // 2]
    return [*events[:middle], start, *events[middle:]]


def _last_json(events: Sequence[FeedEvent]) -> str:
    race = Race(engine_settings())
    for event in events:
        race.apply(event)
    return race.situation.model_dump_json(exclude={"events_applied"})


def test_the_mountain_stage_keeps_its_time_limit() -> None:
    untouched = stage_run("mountain").last  # The same settings, run once per test process.
    assert untouched is not None
    again = _last_json(_with_start_list_again(stage_events("mountain")))
    assert again == untouched.model_dump_json(exclude={"events_applied"})


@needs_stage_16
def test_a_time_trial_keeps_its_best_times() -> None:
    untouched = recording_run(STAGE_16)  # The same settings, run once per test process.
    again = _last_json(_with_start_list_again(untouched.events))
    assert again == untouched.last.model_dump_json(exclude={"events_applied"})
