"""The simulated stages played for the simulator's own tests: what those tests check, extracted
in one pass as the frames stream by (`play`); `tests/feeds/conftest.py` plays each once per
test process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from feeds.simulation import ScenarioFacts, scenario_facts, simulate
from feeds.simulation.scenarios import route
from race.models import Bib, RaceNews, RiderFix, StartList, Telemetry
from tests.support.stages import NOISE_M, SEED, stage_events

SNAPSHOT_KMS = (150, 120, 90, 60, 40, 30, 20, 10)
"""Km to go of the head at which a whole frame is kept for later checks."""


@dataclass
class Run:
    """What the tests need from one playback of a stage, extracted as the frames stream by (a
    whole stage is ~450,000 fixes: keeping them all would cost more than generating them)."""

    facts: ScenarioFacts
    start: StartList
    digest: str = ""
    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    news: list[RaceNews] = field(default_factory=list)
    neutral_frames: int = 0
    neutral_faults: int = 0
    """Fixes of the neutralised start not at the full distance, or with a feed gap."""
    race_gap_missing: int = 0
    off_grid_km: int = 0
    """Km-to-go values not on the feed's 10 m steps."""
    catch_head_km: float | None = None
    """Km to go of the head when a rider outside the break first reaches the last of it."""
    break_min_lead_m: float = float("inf")
    """Smallest lead of the break over everyone else from 5 km after it went to 15 km to go."""
    finale: list[tuple[float, dict[Bib, float], dict[Bib, float]]] = field(default_factory=list)
    """(head km to go, km from the start of each rider projected from GPS, speeds), for the
    frames of the last 10.5 km before the first rider finishes."""
    snapshots: dict[int, dict[Bib, RiderFix]] = field(default_factory=dict)
    finish_gap: dict[Bib, float] = field(default_factory=dict)
    finished_frames: dict[Bib, int] = field(default_factory=dict)
    first_finishers: set[Bib] = field(default_factory=set)


def play(
    scenario: str, seed: int = SEED, cadence_s: float = 6, noise_m: float = 4, project: bool = False
) -> Run:
    """Stream a stage once, checking and extracting as it goes."""
    facts = scenario_facts(scenario, seed)
    if (seed, cadence_s, noise_m) == (SEED, 6, NOISE_M):
        stream = iter(stage_events(scenario))  # simulated once per test process
    else:
        stream = simulate(scenario, seed, cadence_s=cadence_s, noise_m=noise_m)
    start = next(stream)
    assert isinstance(start, StartList)
    run = Run(facts=facts, start=start)
    digest = hashlib.sha256(start.model_dump_json().encode())
    d = facts.distance_km
    rt = route(scenario)
    break_set = set(facts.break_riders)
    break_went = d - facts.break_km_to_go
    marks = list(SNAPSHOT_KMS)
    for event in stream:
        digest.update(event.model_dump_json().encode())
        if isinstance(event, RaceNews):
            run.news.append(event)
            continue
        assert isinstance(event, Telemetry)
        run.times.append(event.t)
        run.sizes.append(len(event.riders))
        live = [r for r in event.riders if not r.finished]
        for r in event.riders:
            assert r.km_to_finish is not None
            if abs(r.km_to_finish * 100 - round(r.km_to_finish * 100)) > 1e-6:
                run.off_grid_km += 1
            if r.finished:
                run.finish_gap.setdefault(r.bib, r.feed_gap_s or 0.0)
                run.finished_frames[r.bib] = run.finished_frames.get(r.bib, 0) + 1
        if not run.first_finishers:
            run.first_finishers = {r.bib for r in event.riders if r.finished}
        if event.t < facts.start_t:
            run.neutral_frames += 1
            run.neutral_faults += sum(
                r.km_to_finish != d or r.feed_gap_s is not None for r in event.riders
            )
            continue
        run.race_gap_missing += sum(r.feed_gap_s is None for r in live)
        if not live:
            continue
        head = min(r.km_to_finish or 0.0 for r in live)
        while marks and head <= marks[0]:
            run.snapshots[marks.pop(0)] = {r.bib: r for r in live}
        breakaway = [r.km_to_finish or 0.0 for r in live if r.bib in break_set]
        others = [r.km_to_finish or 0.0 for r in live if r.bib not in break_set]
        km_done = d - head
        if breakaway and others and km_done > break_went + 5:
            lead_m = (min(others) - max(breakaway)) * 1000
            if head > 15:
                run.break_min_lead_m = min(run.break_min_lead_m, lead_m)
            if run.catch_head_km is None and lead_m <= 0:
                run.catch_head_km = head
        if project and head <= 10.5 and not run.first_finishers:
            where = {
                r.bib: rt.locate(
                    r.lat or 0.0, r.lon or 0.0, near_km=d - (r.km_to_finish or 0), window_km=0.2
                )
                for r in live
            }
            run.finale.append((head, where, {r.bib: r.speed_kmh or 0.0 for r in live}))
    run.digest = digest.hexdigest()
    return run
