"""The Pau recording and the simulated stages without `kmToFinish` and `secToFirstRider`
(`tests.support.mutations.without_distances`), riders placed from GPS: the engine's answer is
checked against the untouched run's: gaps of the group-frames (as `tests.support.robustness`
counts them: from the real start to the winner's finish, one per group per frame), the winner
and his time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pytest

from feeds.quirks import CoarseKm, KmOffset, apply_quirks
from race.engine import Race
from race.models import FeedEvent, Telemetry
from race.situation import Situation
from tests.support.mutations import without_distances
from tests.support.robustness import recording
from tests.support.stages import SEED, engine_settings, needs_stage_5, stage_events, stage_run

GAP_S = 10.0
"""A group's gap matches the untouched run's when it is within this many seconds of it."""
SHARE = 0.9
WINNER_S = 30.0


@dataclass
class Run:
    """One pass of the engine: the situations of the group-frames (from the real start to the
    winner's finish, as `tests.support.robustness` counts them) by feed time, and the last."""

    situations: dict[float, Situation]
    last: Situation


def _run(events: Iterable[FeedEvent]) -> Run:
    race = Race(engine_settings())
    situations: dict[float, Situation] = {}
    for event in events:
        situation = race.apply(event)
        if (
            isinstance(event, Telemetry)
            and not situation.winner_finished
            and situation.race_time_s is not None
        ):
            situations[event.t] = situation
    return Run(situations, race.situation)


@dataclass(frozen=True)
class Agreement:
    group_frames: int
    matched: int
    """Group-frames within `GAP_S` of the untouched run's gap of the group holding their first
    rider at the same instant."""
    unmatched_frames: int
    """Frames of the run without distances that the untouched run has no situation for."""

    @property
    def share(self) -> float:
        return self.matched / self.group_frames if self.group_frames else 0.0


def _agreement(run: Run, untouched: dict[float, Situation]) -> Agreement:
    group_frames = matched = unmatched = 0
    for t, situation in run.situations.items():
        reference = untouched.get(t)
        if reference is None:
            unmatched += 1
            continue
        for group in situation.groups:
            first = group.riders[0]
            same = next((g for g in reference.groups if first in g.riders), None)
            group_frames += 1
            if same is not None and abs(group.gap_s - same.gap_s) <= GAP_S:
                matched += 1
    return Agreement(group_frames, matched, unmatched)


@cache
def _pau() -> tuple[Run, Run]:
    """The Pau stage untouched, and without `kmToFinish` and `secToFirstRider`."""
    return _run(recording()), _run(without_distances(recording()))


@needs_stage_5
@pytest.mark.slow
def test_pau_without_distances_gives_the_gaps_and_winner_of_the_untouched_run() -> None:
    untouched, placed = _pau()
    agreement = _agreement(placed, untouched.situations)
    winner_delta = _race_time(placed.last) - _race_time(untouched.last)
    print(
        f"\nPau without distances: {agreement.matched}/{agreement.group_frames} group-frames "
        f"({agreement.share:.1%}) within {GAP_S:g} s of the untouched run; winner "
        f"#{placed.last.winner} (untouched #{untouched.last.winner}), time Δ {winner_delta:+.1f} s"
    )
    assert placed.last.placing == "gps"
    assert untouched.last.placing == "feed"
    assert agreement.unmatched_frames == 0
    assert agreement.group_frames >= 0.9 * sum(len(s.groups) for s in untouched.situations.values())
    assert agreement.share >= SHARE
    assert placed.last.winner == untouched.last.winner
    assert abs(winner_delta) <= WINNER_S
    assert placed.last.riders_tracked == untouched.last.riders_tracked


def _race_time(situation: Situation) -> float:
    assert situation.winner_t is not None
    assert situation.start_t is not None
    return situation.winner_t - situation.start_t


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["flat", "mountain"])
def test_a_simulated_stage_without_distances_gives_the_same_gaps(scenario: str) -> None:
    untouched = dict(stage_run(scenario).situations)
    placed = _run(without_distances(stage_events(scenario)))
    agreement = _agreement(placed, untouched)
    reference = stage_run(scenario).last
    assert reference is not None
    print(
        f"\n{scenario} without distances: {agreement.matched}/{agreement.group_frames} "
        f"({agreement.share:.1%}) within {GAP_S:g} s; winner #{placed.last.winner} "
        f"(untouched #{reference.winner}, {placed.last.winner_basis})"
    )
    assert agreement.unmatched_frames == 0
    assert agreement.share >= SHARE
    assert abs(_race_time(placed.last) - _race_time(reference)) <= WINNER_S
    # Only a photo finish the positions cannot decide may change the winner (GPS places two
    # riders 3 m apart where the feed's 10 m steps put them level), and it is said.
    assert placed.last.winner == reference.winner or not placed.last.winner_sure


@pytest.mark.slow
def test_a_simulated_stage_in_100_m_steps_gives_the_same_gaps() -> None:
    """Every km to go rounded to 100 m (`CoarseKm`): the riders placed within their steps from
    GPS give the untouched run's groups, gaps and winner."""
    untouched = dict(stage_run("flat").situations)
    coarse = _run(apply_quirks(stage_events("flat"), [CoarseKm(at_km_to_finish=1000.0)], SEED))
    agreement = _agreement(coarse, untouched)
    reference = stage_run("flat").last
    assert reference is not None
    print(f"\nflat in 100 m steps: {agreement.share:.1%} within {GAP_S:g} s")
    assert agreement.unmatched_frames == 0
    assert agreement.share >= SHARE
    groups = sum(len(s.groups) for s in coarse.situations.values())
    assert groups <= 1.05 * sum(len(s.groups) for s in untouched.values())
    assert abs(_race_time(coarse.last) - _race_time(reference)) <= WINNER_S
    # As without distances: only a photo finish the positions cannot decide, and it is said.
    assert coarse.last.winner == reference.winner or not coarse.last.winner_sure


@pytest.mark.slow
def test_a_simulated_stage_with_the_heads_km_offset_gives_the_same_gaps() -> None:
    """The head of the race's km to go sent 800 m back from 45 km to go for 20 minutes
    (`KmOffset`): placed from his GPS fix, the untouched run's gaps and winner."""
    untouched = dict(stage_run("flat").situations)
    quirk = KmOffset(at_km_to_finish=45.0)
    offset = _run(apply_quirks(stage_events("flat"), [quirk], SEED))
    agreement = _agreement(offset, untouched)
    print(f"\nflat, the head 800 m back: {agreement.share:.1%} within {GAP_S:g} s")
    assert agreement.unmatched_frames == 0
    assert agreement.share >= 0.99
    reference = stage_run("flat").last
    assert reference is not None
    assert offset.last.winner == reference.winner
    said = [a.text for a in offset.last.alerts if a.kind == "feed_km_offset"]
    assert len(said) == 2  # Found, then agreeing again.
