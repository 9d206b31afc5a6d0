"""The history: the situation reached by going back (or forward) to a point is the one the live
engine gave when it was there, to the last field of its JSON."""

from __future__ import annotations

import itertools
import math
import pickle
import random
from functools import cache
from typing import Any

import pytest

from feeds.quirks import BadNumber, Ghost, Resync, apply_quirks
from race.engine import Race
from race.history import History
from race.models import FeedEvent, Telemetry
from tests.support.robustness import recording
from tests.support.stages import STAGE_5_BREAK_RIDER, engine_settings, needs_stage_5, stage_events

PART = 400
"""Entries of the simulated flat stage played here (its first ~25 km, with quirks): enough for
a dozen checkpoints at the spacing below, a second of engine time."""


def quirky_start() -> list[FeedEvent]:
    """The flat stage's start with bad numbers (NaN km, infinite speeds), a ghost and a resync:
    values that JSON cannot carry, fixes the engine sets aside, trajectories cut back, all to
    be replayed as they came."""
    quirks = (
        BadNumber(at_km_to_finish=172.0, value=math.nan, every_frames=4, frames=6),
        BadNumber(at_km_to_finish=170.0, field="speed_kmh", value=math.inf, frames=4),
        Ghost(at_km_to_finish=168.0),
        Resync(at_km_to_finish=166.0),  # Trajectories that lose points (`rewind`).
    )
    return list(itertools.islice(apply_quirks(stage_events("flat"), quirks, 7), PART))


def played(history: History, events: list[FeedEvent]) -> list[dict[str, Any]]:
    """Apply `events` live, keeping the JSON of every situation as it was given."""
    return [history.apply(event).to_json_dict() for event in events]


def small_history() -> History:
    """Checkpoints closer than the default: a dozen of them in the part played."""
    return History(Race(engine_settings()), every_km=2.0, every_entries=15)


@cache
def quirky_run() -> tuple[History, list[dict[str, Any]]]:
    """The part played once for the tests that only look back at it."""
    history = small_history()
    return history, played(history, quirky_start())


def test_seeking_anywhere_gives_the_situation_played_there() -> None:
    history, live = quirky_run()
    assert history.checkpoints >= 10
    # Back, forward a little (the restored engine steps on), far forward, back again, the start.
    points = [350, 120, 127, 128, 300, 1, 75, 76, 399, 0 + 1, 233]
    points += random.Random(16).sample(range(1, PART), 12)
    for entries in points:
        assert history.situation_after(entries).to_json_dict() == live[entries - 1], entries


def test_a_seek_leaves_the_live_engine_as_it_was() -> None:
    events = quirky_start()
    _, never_back = quirky_run()
    history = small_history()
    live = played(history, events[:300])
    history.situation_after(40)
    assert history.race.situation.to_json_dict() == live[-1]
    # The live engine goes on exactly as an engine that never went back.
    assert played(history, events[300:350]) == never_back[300:350]


def test_km_and_time_find_the_first_entry_there() -> None:
    events = quirky_start()
    history, live = quirky_run()
    head = [s["head_km_to_finish"] for s in live]
    target = head[-1] + 3.0
    entries = history.entries_to_km(target)
    assert entries is not None
    assert head[entries - 1] <= target
    assert all(km is None or km > target for km in head[: entries - 1])
    situation = history.situation_at_km(target)
    assert situation is not None
    assert situation.to_json_dict() == live[entries - 1]
    assert history.situation_at_km(head[-1] - 1.0) is None  # Not got there yet.
    frames = [i for i, e in enumerate(events) if isinstance(e, Telemetry) and math.isfinite(e.t)]
    middle = frames[len(frames) // 2]
    frame = events[middle]
    assert isinstance(frame, Telemetry)
    # Every entry up to the first frame later than t: that frame's and what came after it.
    assert history.entries_to(frame.t) == next(
        i for i in frames if i > middle and _t(events[i]) > frame.t
    )
    assert history.first_head_entries() == 1 + next(
        i for i, s in enumerate(live) if s["head_km_to_finish"] is not None
    )


def _t(event: FeedEvent) -> float:
    assert isinstance(event, Telemetry)
    return event.t


def test_a_sprinter_chosen_during_the_race_is_chosen_again_in_the_past() -> None:
    events = quirky_start()
    history = small_history()
    live = played(history, events[:150])
    bib = max(history.race.situation.roster.riders)
    chosen = history.set_sprinter(bib).to_json_dict()
    live += [chosen, *played(history, events[150:250])]
    for entries in (151, 152, 200, 251, 140):
        assert history.situation_after(entries).to_json_dict() == live[entries - 1]
    with pytest.raises(KeyError):
        history.set_sprinter(99_999)
    assert len(history) == 251  # Nothing remembered of what failed.
    with pytest.raises(ValueError, match="not an action"):
        history.act("apply", events[0])


@needs_stage_5
@pytest.mark.slow
def test_seeking_on_the_pau_stage_gives_the_situation_played_there() -> None:
    """The real stage with the default spacing: 20 km marks from the break to the sprint."""
    history = History(Race(engine_settings()))
    live = played(history, list(recording()))
    assert live[-1]["winner"] is not None
    start = history.head_km_after(history.first_head_entries() or 0)
    assert start is not None
    assert start > 150
    marks = [start - 1 - i * (start - 2) / 19 for i in range(20)]
    for km in random.Random(5).sample(marks, len(marks)):
        entries = history.entries_to_km(km)
        assert entries is not None
        situation = history.situation_at_km(km)
        assert situation is not None
        assert situation.to_json_dict() == live[entries - 1], km
    # In the break's time, the head of the race is the lone breakaway.
    early = history.situation_at_km(100.0)
    assert early is not None
    assert early.head_rider == STAGE_5_BREAK_RIDER


def test_a_history_pickled_and_restored_goes_on_as_the_original() -> None:
    """As a start point kept between launches (`tui.startpoint`): pickled half-way and restored,
    it applies the rest as the original does, its checkpoints after the restore included."""
    events = quirky_start()
    original = small_history()
    played(original, events[:200])
    restored: History = pickle.loads(pickle.dumps(original, pickle.HIGHEST_PROTOCOL))
    live = played(original, events[200:])
    assert played(restored, events[200:]) == live
    assert restored.checkpoints == original.checkpoints
    for entries in (150, 210, 260, 330):  # Before the restore and after it.
        back = restored.situation_after(entries).to_json_dict()
        assert back == original.situation_after(entries).to_json_dict()
    # The checkpoints after the restore share the restored engine's stage and route, as the
    # original's share its own: not a copy of them each (the store's map of them is keyed by
    # the objects' ids, which another process does not give again).
    assert len(restored._store._shared) == len(original._store._shared)


def test_settled_at_once_or_at_the_next_entry_the_past_is_the_same() -> None:
    """The app has each entry's keeping done once the situation is drawn (`History.settle`);
    left to the next entry or to a look back, the history keeps exactly the same past."""
    events = quirky_start()[:200]
    early, late = small_history(), small_history()
    for event in events:
        early.apply(event)
        early.settle()
        early.settle()  # Twice: nothing more.
    live = played(late, events)
    assert early.settled
    assert not late.settled  # The last entry waits for its keeping.
    assert late.checkpoints == early.checkpoints >= 8
    assert late.sizes() == early.sizes()
    assert late._packed == early._packed
    assert late._checkpoints == early._checkpoints
    for entries in (37, 120, 199):
        assert early.situation_after(entries).to_json_dict() == live[entries - 1]
