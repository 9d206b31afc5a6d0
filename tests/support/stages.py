"""The reference stages for tests: the simulated stages run through the engine, situations at km
marks, and where the real recordings are."""

from __future__ import annotations

import copy
import gc
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

import pytest

from feeds.simulation import simulate
from race.engine import Race
from race.models import Bib, FeedEvent, Telemetry
from race.settings import EngineSettings
from race.situation import Situation
from race.story import GapStory, StageResults
from race.timelimit.rules import RuleSet, parse_rule_set

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = next(
    (
        folder / "shared" / "data" / "racecenter"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "data" / "racecenter").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "racecenter",
)
"""The real recordings: `../shared/data/racecenter` beside the checkout, or one level up (a
checkout in a folder of worktrees). Tests that need them skip when they are absent."""
STAGE_5 = SHARED_DATA / "2026-07-08.json.gz"
"""The 2026 Tour's stage 5, Lannemezan › Pau: a real road stage (a solo break, a bunch sprint)."""
STAGE_5_BREAK_RIDER = 157
"""Stage 5's lone breakaway, the head of the race from the start of the recording to 14.6 km
to go."""
STAGE_16 = SHARED_DATA / "2026-07-21.json.gz"
"""The 2026 Tour's stage 16: a real individual time trial."""
needs_stage_5 = pytest.mark.skipif(
    not STAGE_5.exists(), reason=f"the Race Center recording of stage 5 is not in {SHARED_DATA}"
)
needs_stage_16 = pytest.mark.skipif(
    not STAGE_16.exists(), reason=f"the Race Center recording of stage 16 is not in {SHARED_DATA}"
)
SEED = 2026
NOISE_M = 4.0
"""The simulated GPS noise of the embedded configuration."""


@cache
def tdf_rules() -> RuleSet:
    return parse_rule_set(
        (files("race.timelimit") / "rulesets" / "tdf.toml").read_text(encoding="utf-8")
    )


def kept(value: T) -> T:
    """`value`, kept for the whole test process: the objects alive now are left out of every
    later garbage collection. A simulated stage is a million objects; a full collection walks
    them all, and without this the collector took a fifth of the tests' time. What is garbage
    now is collected first: frozen, it would never be."""
    gc.collect()
    gc.freeze()
    return value


@cache
def stage_events(scenario: str, seed: int = SEED) -> tuple[FeedEvent, ...]:
    """A simulated stage's events at the embedded configuration's noise, simulated once per
    test process (a stage costs 2-5 s to simulate; many tests read the same one)."""
    return kept(tuple(simulate(scenario, seed, noise_m=NOISE_M)))


def engine_settings(**changes: object) -> EngineSettings:
    return EngineSettings(rules=tdf_rules()).model_copy(update=changes)


FINALE_KM = 10.0
"""The lead-out's finale: every frame from here to the winner's finish is kept."""


@dataclass
class StageRun:
    """One pass of the engine (default settings) over a simulated stage, kept for many tests."""

    after_each: list[Situation] = field(default_factory=list)
    """The situation after each of the stage's events: `after_each[i]` follows
    `stage_events(scenario)[i]`."""
    situations: list[tuple[float, Situation]] = field(default_factory=list)
    """(feed time, situation) after each telemetry frame once the race has started."""
    finale: list[tuple[float, Situation]] = field(default_factory=list)
    """The frames within `FINALE_KM` of the line, before the winner's finish."""
    last: Situation | None = None
    story: GapStory | None = None
    """The gap chart's story at the end of the feed (`Race.gap_story`)."""
    results: StageResults | None = None
    """The stage's result at the end of the feed (`Race.results`)."""
    checkpoint: tuple[int, bytes] | None = None
    """The engine pickled as it was on entering the finale (`CHECKPOINT_KM`), and the index of
    the first event it has not applied: a test resumes the stage from there."""
    halfway: Race | None = None
    """The engine as it was before the stage's `middle_frame` (never handed out: copy it)."""


def middle_frame(events: Sequence[FeedEvent]) -> int:
    """The index of the middle one of the telemetry frames in `events`."""
    frames = [i for i, event in enumerate(events) if isinstance(event, Telemetry)]
    return frames[len(frames) // 2]


CHECKPOINT_KM = 14.0
"""Where `stage_run` pickles the engine: near the end (the rest of the stage is cheap to replay
again), with the groups, trends, time limit and lead-out all under way."""


@cache
def stage_run(scenario: str) -> StageRun:
    race = Race(engine_settings())
    run = StageRun()
    events = stage_events(scenario)
    middle = middle_frame(events)
    for index, event in enumerate(events):
        if index == middle:
            run.halfway = copy.deepcopy(race)
        situation = race.apply(event)
        run.after_each.append(situation)
        run.last = situation
        if not isinstance(event, Telemetry) or situation.race_time_s is None:
            continue
        run.situations.append((event.t, situation))
        head = situation.head_km_to_finish
        if head is not None and head <= CHECKPOINT_KM and run.checkpoint is None:
            run.checkpoint = (index + 1, pickle.dumps(race))
        if head is not None and head <= FINALE_KM and not situation.winner_finished:
            run.finale.append((event.t, situation))
    run.story, run.results = race.gap_story(), race.results()
    return kept(run)


@cache
def stage_marks(scenario: str, marks: tuple[float, ...]) -> dict[float, tuple[float, Situation]]:
    """(feed time, situation) at the first frame where the head is at or below each km mark.

    A mark of 0 means the end of the feed.
    """
    run = stage_run(scenario)
    out: dict[float, tuple[float, Situation]] = {}
    for mark in marks:
        if mark == 0:
            if run.last is not None and run.last.t is not None:
                out[0.0] = (run.last.t, run.last)
            continue
        out[mark] = next(
            (t, situation)
            for t, situation in run.situations
            if situation.head_km_to_finish is not None and situation.head_km_to_finish <= mark
        )
    return out


FLAT_MARKS = (120.0, 60.0, 14.0, 5.0, 1.0, 0.0)
MOUNTAIN_MARKS = (100.0, 50.0, 30.0, 20.0, 5.0, 0.0)


def flat_at(km: float) -> tuple[float, Situation]:
    return stage_marks("flat", FLAT_MARKS)[km]


def mountain_at(km: float) -> tuple[float, Situation]:
    return stage_marks("mountain", MOUNTAIN_MARKS)[km]


@dataclass(frozen=True)
class RidersLost:
    """The end of a simulated stage where the feed stopped sending some riders on the road."""

    results: StageResults
    last: Situation
    last_seen: dict[Bib, float]
    """Each lost rider's km to go in the first frame that left him out."""


@cache
def riders_lost(scenario: str, count: int, from_km: float) -> RidersLost:
    """The stage resumed at its checkpoint (`CHECKPOINT_KM`) with `count` riders of its biggest
    group at the line no longer sent once the head is within `from_km` of it."""
    run = stage_run(scenario)
    assert run.checkpoint is not None
    assert run.last is not None
    start, saved = run.checkpoint
    race: Race = pickle.loads(saved)
    bunch = max(run.last.groups, key=lambda group: group.size)
    middle = len(bunch.riders) // 2
    lost = set(bunch.riders[middle : middle + count])
    last_seen: dict[Bib, float] = {}
    head: float | None = None
    for event in stage_events(scenario)[start:]:
        if isinstance(event, Telemetry) and head is not None and head <= from_km:
            for fix in event.riders:
                if fix.bib in lost and fix.km_to_finish is not None:
                    last_seen.setdefault(fix.bib, fix.km_to_finish)
            riders = tuple(fix for fix in event.riders if fix.bib not in lost)
            event = event.model_copy(update={"riders": riders})
        head = race.apply(event).head_km_to_finish
    results = race.results()
    assert results is not None
    return RidersLost(results, race.situation, last_seen)
