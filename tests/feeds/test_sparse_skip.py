"""A skip to the finale sends the stretch before it as fewer frames (`feeds.simulation.Sparse`):
the engine must reach the same situation at the skip point as on the whole stage, and the
frames from there on must be the whole stage's.

The whole stages' runs are the session's cached ones (`tests.support.stages`); only the sparse
stretch is simulated and run here.
"""

from __future__ import annotations

from functools import cache
from itertools import islice

import pytest

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.simulation import Sparse, simulate
from race.engine import Race
from race.models import FeedEvent, Telemetry
from race.situation import Situation
from tests.support.stages import NOISE_M, SEED, engine_settings, stage_events, stage_run

SKIP_KM = 45.0
"""The embedded configuration's `skip_to_km`."""


def head_km(frame: Telemetry) -> float:
    """The head of the race's km to go in a frame, as the adapter reads it to stop skipping."""
    return min(
        (fix.km_to_finish for fix in frame.riders if fix.km_to_finish is not None), default=0.0
    )


def from_skip_point(events: tuple[FeedEvent, ...]) -> tuple[FeedEvent, ...]:
    """The events from the first frame at or below `SKIP_KM` on."""
    first = next(
        i for i, e in enumerate(events) if isinstance(e, Telemetry) and head_km(e) <= SKIP_KM
    )
    return events[first:]


@cache
def sparse_events(scenario: str) -> tuple[FeedEvent, ...]:
    return tuple(simulate(scenario, SEED, noise_m=NOISE_M, sparse=Sparse(until_km=SKIP_KM)))


@cache
def at_skip_point(scenario: str) -> tuple[float, Situation, int]:
    """Feed time of the skip point of the sparse stage, the engine's situation there, and the
    frames it took (run once per test process: two tests read the flat one)."""
    race = Race(engine_settings())
    frames = 0
    for event in sparse_events(scenario):
        situation = race.apply(event)
        if isinstance(event, Telemetry):
            frames += 1
            if head_km(event) <= SKIP_KM:
                return event.t, situation, frames
    raise AssertionError("the stage never reaches the skip point")


def whole_stage_at(scenario: str, t: float) -> Situation:
    return next(s for frame_t, s in stage_run(scenario).situations if frame_t == t)


@pytest.mark.parametrize("scenario", ["flat", "mountain"])
def test_the_screen_is_the_same_at_the_skip_point(scenario: str) -> None:
    t, sparse, frames = at_skip_point(scenario)
    whole = whole_stage_at(scenario, t)
    whole_frames = sum(isinstance(e, Telemetry) and e.t <= t for e in stage_events(scenario))
    assert frames < whole_frames * 0.6  # the point of it

    assert [(g.name, g.kind, sorted(g.riders)) for g in sparse.groups] == [
        (g.name, g.kind, sorted(g.riders)) for g in whole.groups
    ]
    for ours, theirs in zip(sparse.groups, whole.groups, strict=True):
        assert ours.gap_s == pytest.approx(theirs.gap_s, abs=1.0), ours.name
        if theirs.trend_s_per_10km is None:
            assert ours.trend_s_per_10km is None, ours.name
        else:
            # Shown to the second per 10 km: the fit may move by a few tenths.
            assert ours.trend_s_per_10km == pytest.approx(theirs.trend_s_per_10km, abs=0.5)
    assert sparse.time_limit is not None
    assert whole.time_limit is not None
    assert [(g.name, g.status) for g in sparse.time_limit.groups] == [
        (g.name, g.status) for g in whole.time_limit.groups
    ]
    assert sparse.race_time_s == pytest.approx(whole.race_time_s, abs=1.0)
    assert sparse.head_km_to_finish == pytest.approx(whole.head_km_to_finish, abs=0.5)
    # The radio's history: the same kinds of alert, at most a sparse frame's time apart.
    assert [a.kind for a in sparse.alerts if a.kind != "gap_opening"] == [
        a.kind for a in whole.alerts if a.kind != "gap_opening"
    ]


def test_the_flat_stage_radio_is_the_same_at_the_skip_point() -> None:
    # Its alerts all come around the start and the break's forming, sent whole.
    t, sparse, _ = at_skip_point("flat")
    whole = whole_stage_at("flat", t)
    assert [(a.t, a.text) for a in sparse.alerts] == [(a.t, a.text) for a in whole.alerts]
    assert sparse.alerts


@pytest.mark.parametrize("scenario", ["flat", "mountain"])
def test_the_frames_from_the_skip_point_on_are_the_whole_stages(scenario: str) -> None:
    ours = from_skip_point(sparse_events(scenario))
    assert ours == from_skip_point(stage_events(scenario))


def test_a_sparse_stretch_beyond_the_stage_changes_nothing() -> None:
    # `until_km` beyond the stage's length: nothing is sparse (its first 300 events tell).
    events = simulate("flat", SEED, noise_m=NOISE_M, sparse=Sparse(until_km=500))
    assert tuple(islice(events, 300)) == stage_events("flat")[:300]


def test_the_adapter_skipping_sends_fewer_frames_before_the_skip_point() -> None:
    feed = SimulatedFeed(SimulatedOptions(seed=SEED, noise_m=NOISE_M, skip_to_km=SKIP_KM))
    before = 0
    for event in feed.stage():
        if isinstance(event, Telemetry):
            if head_km(event) <= SKIP_KM:
                break
            before += 1
    whole = sum(isinstance(e, Telemetry) and head_km(e) > SKIP_KM for e in stage_events("flat"))
    assert before < whole * 0.6


def test_a_reading_as_fast_as_possible_gets_every_frame() -> None:
    # `ardoise situation` reads at speed 0: any feed time it stops at has its frame.
    feed = SimulatedFeed(SimulatedOptions(seed=SEED, noise_m=NOISE_M, speed=0, skip_to_km=SKIP_KM))
    assert tuple(islice(feed.stage(), 1000)) == stage_events("flat")[:1000]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"until_km": -1.0}, "until_km"),
        ({"until_km": float("nan")}, "until_km"),
        ({"every_s": 0.0}, "every_s"),
        ({"dense_s": -5.0}, "dense_s"),
        ({"history_km": -1.0}, "history_km"),
    ],
)
def test_a_sparse_stretch_needs_sensible_numbers(changes: dict[str, float], problem: str) -> None:
    arguments = {"until_km": 10.0} | changes
    with pytest.raises(ValueError, match=problem):
        Sparse(**arguments)
