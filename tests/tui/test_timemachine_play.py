"""The past plays on as the feed sent it: `TimeMachine.play` moves by feed time, jumps a long
hole, reaches live at the end of what was sent; in the app it runs at the replay's speed and
stops while paused."""

from __future__ import annotations

from functools import cache

import pytest

from race.engine import Race
from race.history import History
from race.models import FeedEvent, Telemetry
from tests.support.app import header_text, wait_for
from tests.support.stages import engine_settings, stage_events
from tui.timemachine import HOLE_S, TimeMachine

PART = 300
"""Entries of the simulated flat stage played here: its first frames, a second of engine."""


def frame_times(events: list[FeedEvent]) -> list[float]:
    return [event.t for event in events if isinstance(event, Telemetry)]


@cache
def played(hole_after: int | None = None) -> tuple[History, tuple[FeedEvent, ...]]:
    """The stage's first entries in a history; with `hole_after`, the frames after that many
    entries come an hour later."""
    events = list(stage_events("flat")[:PART])
    if hole_after is not None:
        events[hole_after:] = [
            e.model_copy(update={"t": e.t + 3600.0}) if isinstance(e, Telemetry) else e
            for e in events[hole_after:]
        ]
    history = History(Race(engine_settings()))
    for event in events:
        history.apply(event)
    return history, tuple(events)


def shown_t(history: History, machine: TimeMachine) -> float | None:
    assert machine.entries is not None
    return history.last_frame_t(machine.entries)


def test_the_past_moves_on_by_feed_time() -> None:
    history, events = played()
    machine = TimeMachine(history)
    machine.after(100)
    start = shown_t(history, machine)
    assert start is not None
    seek = machine.play(60.0)
    assert seek is not None
    assert seek.past is not None
    reached = shown_t(history, machine)
    # The last frame at or before a minute later, and no frame of that minute left out.
    assert reached == max(t for t in frame_times(list(events)) if t <= start + 60.0)
    assert seek.past is history.situation_after(machine.entries or 0)


def test_small_steps_add_up_to_one_big_one() -> None:
    history, _ = played()
    one, many = TimeMachine(history), TimeMachine(history)
    one.after(100)
    many.after(100)
    one.play(60.0)
    for _ in range(30):
        many.play(2.0)  # Mostly no new frame: nothing to show.
    assert many.entries == one.entries


def test_nothing_new_within_a_frame() -> None:
    history, _ = played()
    machine = TimeMachine(history)
    machine.after(100)
    assert machine.play(0.1) is None
    assert machine.entries == 100


def test_a_long_hole_is_not_played_out() -> None:
    history, events = played(hole_after=150)
    machine = TimeMachine(history)
    machine.after(150)
    before = shown_t(history, machine)
    assert before is not None
    after_hole = frame_times(list(events[150:]))[0]
    assert after_hole - before > HOLE_S
    machine.play(1.0)
    assert shown_t(history, machine) == after_hole  # The next frame at once, not in an hour.


def test_played_to_the_end_it_is_live_and_a_seek_restarts_its_clock() -> None:
    history, _ = played()
    machine = TimeMachine(history)
    machine.after(PART - 5)
    seek = machine.play(3600.0)
    assert seek is not None
    assert seek.past is None
    assert not machine.in_past
    # Back 1 km: the past plays from there, not from where the last one had got to.
    machine.step(-1.0)
    assert machine.entries is not None
    here = shown_t(history, machine)
    machine.play(6.0)
    assert shown_t(history, machine) == pytest.approx(here, abs=6.0)


@pytest.mark.slow
async def test_in_the_app_the_past_plays_at_the_replays_pace_unless_paused() -> None:
    from tests.tui.test_timemachine import replay, shown_km

    app, adapter = replay(speed=20.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.head_km_to_finish is not None)
        await pilot.press("shift+left")
        assert app.in_past
        went_back_to = shown_km(app)
        # x20: a frame every 0.3 s; the past moves on while the live feed does too.
        await wait_for(lambda: shown_km(app) < went_back_to - 0.05, within=20)
        assert app.in_past
        assert header_text(app, "feed-status").startswith("◀ in the past · live at")
        await pilot.press("p")
        assert "⏸ paused (p)" in header_text(app, "feed-status")
        paused_at = app.situation
        await pilot.pause(1.2)  # Two ticks of the past's clock: it stays where it is.
        assert app.situation is paused_at
        assert adapter.speed == 20.0
