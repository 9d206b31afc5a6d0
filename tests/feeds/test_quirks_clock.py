"""The quirks of the feed's clock added for the frames' stamps and a neutralisation
(`feeds.quirks.clock`): each does exactly what it says on the small synthetic stage."""

from __future__ import annotations

from feeds.quirks import FutureFrame, Neutralised, StuckClock
from race.tracking.geometry import ground_km
from tests.support.quirk_stage import frames, run, synthetic


def test_future_frame_stamps_frames_in_a_row_ahead() -> None:
    events = synthetic()
    out, stream = run(events, FutureFrame(offset_s=600.0, frames=3))
    facts = stream.facts[0]
    assert len(facts.original_times) == 3
    assert facts.changed == [t + 600.0 for t in facts.original_times]
    steps = [b - a for a, b in zip(facts.original_times, facts.original_times[1:], strict=False)]
    assert steps == [6.0, 6.0]
    assert [f.riders for f in frames(out)] == [f.riders for f in frames(events)]


def test_stuck_clock_gives_frames_the_first_ones_time() -> None:
    events = synthetic()
    out, stream = run(events, StuckClock(frames=4))
    facts = stream.facts[0]
    assert facts.changed == [facts.original_times[0]] * 4
    assert len(frames(out)) == len(frames(events))
    assert [f.riders for f in frames(out)] == [f.riders for f in frames(events)]


def test_neutralised_stands_the_race_then_rides_on_later() -> None:
    events = synthetic()
    quirk = Neutralised(duration_s=120.0)
    out, stream = run(events, quirk)
    facts = stream.facts[0]
    assert facts.offset_s == 120.0
    before, after = frames(events), frames(out)
    assert len(after) == len(before) + 20  # A frame every 6 s for 2 minutes.
    first = facts.added[0] - 6.0
    stop = next(f for f in before if f.t == first)
    standing = [f for f in after if f.t in facts.added]
    assert [f.t - first for f in standing] == [6.0 * k for k in range(1, 21)]
    for frame in standing:
        for fix, was in zip(frame.riders, stop.riders, strict=True):
            assert fix.km_to_finish == was.km_to_finish
            assert fix.feed_gap_s == was.feed_gap_s
            assert fix.speed_kmh == 0.0
            moved = ground_km(was.lat or 0.0, was.lon or 0.0, fix.lat or 0.0, fix.lon or 0.0)
            assert was.lat is not None
            assert moved <= 0.006  # A few metres of GPS noise.
    later = [f for f in before if f.t > first]
    assert [f.t + 120.0 for f in later] == [f.t for f in after if f.t > facts.added[-1]]
