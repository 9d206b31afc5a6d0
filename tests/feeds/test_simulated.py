"""The simulated stage: its roster, its determinism, and that the frames show what the script says.

The frames are checked from the raw fixes (km to go, GPS positions projected back onto the route,
feed gaps), never from the simulator's internals, against `scenario_facts()`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import subprocess
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter, FeedOptions
from feeds.simulation import ScenarioFacts, limit_percent, scenario_facts, simulate
from feeds.simulation.scenarios import roster, route
from race.models import Bib, FeedEvent, FeedStatus, RaceNews, RiderFix, StartList, Telemetry
from race.timelimit.rules import percent_for
from tests.support.stages import NOISE_M, SEED, stage_events, tdf_rules
from tests.support.waiting import loop_turns

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.fixture(scope="module")
def flat() -> Run:
    """The default flat stage, without GPS noise so that positions can be projected exactly."""
    return play("flat", noise_m=0, project=True)


@pytest.fixture(scope="module")
def mountain() -> Run:
    return play("mountain")


def _order(where: dict[Bib, float]) -> list[Bib]:
    return sorted(where, key=lambda b: -where[b])


def _snapshot(run: Run, at_km: float) -> tuple[float, dict[Bib, float], dict[Bib, float]]:
    """The finale frame closest to `at_km` to go."""
    return min(run.finale, key=lambda f: abs(f[0] - at_km))


# --- the start list -----------------------------------------------------------------------------


def test_roster_has_22_teams_of_8_with_tour_bibs(flat: Run) -> None:
    teams = flat.start.teams
    riders = flat.start.riders
    assert len(teams) == 22
    assert len({t.code for t in teams}) == 22
    assert all(len(t.code) == 3 and t.code.isalpha() and t.code.isupper() for t in teams)
    assert len(riders) == 176
    for k, team in enumerate(teams, start=1):
        mine = [r for r in riders if r.team == team.code]
        assert [r.bib for r in mine] == list(range(10 * k + 1, 10 * k + 9))
        roles = [r.role for r in mine]
        assert roles.count("sprinter") == 1
        assert 2 <= roles.count("leadout") <= 4
        assert mine[0].role in ("leader", "sprinter")


def test_each_team_has_an_ordered_train_ending_with_its_sprinter(flat: Run) -> None:
    facts = flat.facts
    by_bib = {r.bib: r for r in flat.start.riders}
    assert set(facts.trains) == {t.code for t in flat.start.teams}
    for code, train in facts.trains.items():
        assert by_bib[train[-1]].role == "sprinter"
        assert facts.sprinters[code] == train[-1]
        assert all(by_bib[b].role == "leadout" and by_bib[b].team == code for b in train[:-1])
        assert len(train[:-1]) == sum(
            r.role == "leadout" and r.team == code for r in flat.start.riders
        )
    assert 6 <= len(facts.sprint_teams) <= 8


def test_names_are_multinational_with_accents(flat: Run) -> None:
    names = [f"{r.first_name} {r.last_name}" for r in flat.start.riders]
    assert len(set(names)) == 176
    assert sum(not n.isascii() for n in names) >= 20
    assert any(ch in "".join(names) for ch in "øæå")
    assert any(ch in "".join(names) for ch in "čšž")
    assert len({r.nationality for r in flat.start.riders}) >= 12


def test_four_riders_wear_the_jerseys(flat: Run) -> None:
    jerseys = flat.facts.jerseys
    assert sorted(jerseys.values()) == ["green", "polka-dot", "white", "yellow"]
    fixes = flat.snapshots[90]
    assert {b: f.jersey for b, f in fixes.items() if f.jersey} == {
        b: j for b, j in jerseys.items() if b in fixes
    }
    green = next(b for b, j in jerseys.items() if j == "green")
    assert green in flat.facts.sprinters.values()


# --- the stage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "coefficient", "low", "high"),
    [("flat", 1, 165, 180), ("hilly", 2, 175, 190), ("mountain", 4, 150, 170)],
)
def test_stage_is_plausible_and_in_south_west_france(
    scenario: str, coefficient: int, low: float, high: float
) -> None:
    start = next(simulate(scenario, SEED))
    assert isinstance(start, StartList)
    stage = start.stage
    assert stage.race == "Tour de l'Ardoise"
    assert stage.year == 2026
    assert stage.timezone == "Europe/Paris"
    assert stage.type == scenario
    assert stage.coefficient == coefficient
    assert stage.start
    assert stage.finish
    assert low <= stage.distance_km <= high
    profile = stage.profile
    assert profile[0].km == 0
    assert profile[-1].km == stage.distance_km
    for a, b in itertools.pairwise(profile):
        assert 0 < b.km - a.km <= 1.0
        assert abs(b.altitude_m - a.altitude_m) / ((b.km - a.km) * 1000) < 0.15
        assert a.lat is not None
        assert a.lon is not None
        assert 42.5 < a.lat < 44.5
        assert -1.6 < a.lon < 0.8
    if scenario == "mountain":
        assert 3 <= len(stage.climbs) <= 4
        last = stage.climbs[-1]
        assert 15 <= stage.distance_km - last.summit_km <= 25 or last.summit_km == stage.distance_km
        assert any(c.category in ("HC", "1") for c in stage.climbs)
    for climb in stage.climbs:
        assert climb.length_km
        assert climb.gradient_pct
        assert climb.gradient_pct > 3


def test_start_time_is_fixed() -> None:
    facts = scenario_facts("flat", SEED)
    paris = ZoneInfo("Europe/Paris")
    assert facts.start_t == datetime(2026, 7, 8, 13, 15, tzinfo=paris).timestamp()
    assert 7 * 60 <= facts.start_t - facts.neutral_start_t <= 9 * 60


# --- determinism and the frames -----------------------------------------------------------------


def test_same_seed_gives_the_same_events(mountain: Run) -> None:
    """The whole stage, GPS noise included, compared through a digest of every event's JSON."""
    again = simulate("mountain", SEED, noise_m=NOISE_M)
    digest = hashlib.sha256()
    for event in again:
        digest.update(event.model_dump_json().encode())
    assert digest.hexdigest() == mountain.digest


def test_same_events_in_another_process() -> None:
    """No dependence on hash randomisation or on what ran before in the process."""
    code = (
        "import hashlib, itertools\n"
        "from feeds.simulation import simulate\n"
        "h = hashlib.sha256()\n"
        "for e in itertools.islice(simulate('mountain', 7), 150):\n"
        "    h.update(e.model_dump_json().encode())\n"
        "print(h.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    here = hashlib.sha256()
    for event in itertools.islice(simulate("mountain", 7), 150):
        here.update(event.model_dump_json().encode())
    assert out.stdout.strip() == here.hexdigest()


def test_another_seed_gives_another_race() -> None:
    a, b = scenario_facts("flat", SEED), scenario_facts("flat", SEED + 1)
    assert (a.break_riders, a.train_order, a.wheel_loss) != (
        b.break_riders,
        b.train_order,
        b.wheel_loss,
    )

    def first_frames(seed: int) -> list[str]:
        events = itertools.islice(simulate("flat", seed), 200)
        return [e.model_dump_json() for e in events]

    assert first_frames(SEED) != first_frames(SEED + 1)


def test_frames_come_at_the_cadence(flat: Run) -> None:
    assert flat.times[0] == flat.facts.neutral_start_t
    steps = {round(b - a, 9) for a, b in itertools.pairwise(flat.times)}
    assert steps == {6.0}
    coarse = [e.t for e in simulate("mountain", SEED, cadence_s=15) if isinstance(e, Telemetry)]
    assert {round(b - a, 9) for a, b in itertools.pairwise(coarse)} == {15.0}


def test_news_are_in_time_order_among_the_frames(flat: Run) -> None:
    times = [n.t for n in flat.news]
    assert times == sorted(times)
    assert flat.times[0] <= times[0]
    assert times[-1] <= flat.times[-1]
    finish = [n for n in flat.news if n.category == "finish"]
    assert [n.riders for n in finish] == [(flat.facts.winner,)]
    assert any(n.category == "puncture" for n in flat.news)
    assert any(
        flat.facts.wheel_loss is not None and flat.facts.wheel_loss.sprinter in n.riders
        for n in flat.news
    )


def test_neutralised_start_comes_first(flat: Run) -> None:
    assert 70 <= flat.neutral_frames <= 90
    assert flat.neutral_faults == 0
    assert flat.race_gap_missing == 0


def test_km_to_finish_in_10_m_steps(flat: Run, mountain: Run) -> None:
    assert flat.off_grid_km == 0
    assert mountain.off_grid_km == 0


def test_some_frames_miss_riders_and_finishers_linger(flat: Run) -> None:
    racing = flat.sizes[: flat.neutral_frames + 1000]
    assert min(racing) < 176
    assert sum(size < 176 for size in racing) < len(racing) / 5
    assert set(flat.finished_frames.values()) <= {1, 2, 3, 4, 5}
    assert len(flat.finish_gap) == 176


def test_peloton_spans_150_to_250_m(flat: Run) -> None:
    fixes = flat.snapshots[90]
    skip = {*flat.facts.break_riders, *flat.facts.dropped}
    kms = [f.km_to_finish or 0.0 for b, f in fixes.items() if b not in skip]
    assert 150 <= (max(kms) - min(kms)) * 1000 <= 260


# --- the flat stage's story ---------------------------------------------------------------------


def test_break_is_caught_in_the_last_15_km(flat: Run) -> None:
    facts = flat.facts
    assert 2 <= len(facts.break_riders) <= 4
    assert facts.break_km_to_go >= facts.distance_km - 10
    assert 180 <= facts.break_peak_gap_s <= 300
    assert flat.break_min_lead_m > 100
    assert flat.catch_head_km is not None
    assert 10 <= flat.catch_head_km <= 15
    assert abs(flat.catch_head_km - facts.catch_km_to_go) < 0.3


def test_break_gap_grows_then_falls(flat: Run) -> None:
    skip = set(flat.facts.break_riders) | set(flat.facts.dropped)

    def peloton_gap(km: int) -> float:
        return min(f.feed_gap_s or 0.0 for b, f in flat.snapshots[km].items() if b not in skip)

    gaps = [peloton_gap(km) for km in (150, 120, 90, 60, 30, 20)]
    assert 0 < gaps[0] < max(gaps)
    assert 150 <= max(gaps) <= 310
    assert gaps[-1] < gaps[-2] < gaps[-3]


def test_trains_ride_at_the_front_in_the_last_10_km(flat: Run) -> None:
    facts = flat.facts
    trains = [facts.trains[code] for code in facts.train_order]
    expected = [b for train in trains for b in train]
    finale = [f for f in flat.finale if 3.2 <= f[0] <= 9.8]
    assert len(finale) > 40
    for head, where, _ in finale:
        present = [b for b in expected if b in where]  # a frame may miss a few riders
        assert len(present) >= len(expected) - 4
        assert _order(where)[: len(present)] == present, f"at {head} km"
        for train in trains:
            gaps = [
                (where[a] - where[b]) * 1000
                for a, b in itertools.pairwise(train)
                if a in where and b in where
            ]
            assert all(0.9 <= g <= 2.1 for g in gaps), (head, train, gaps)


def test_speeds_rise_through_the_finale(flat: Run) -> None:
    def head_speed(km: float) -> float:
        _, where, speeds = _snapshot(flat, km)
        front = _order(where)[:5]
        return sorted(speeds[b] for b in front)[2]

    assert 48 <= head_speed(5.0) <= 58
    assert 57 <= head_speed(1.0) <= 68


def test_scripted_wheel_loss_is_visible_at_1_2_km(flat: Run) -> None:
    loss = flat.facts.wheel_loss
    assert loss is not None
    assert loss.team in flat.facts.sprint_teams
    assert 1.1 <= loss.km_to_go <= 1.3
    assert 15 <= loss.gap_m <= 30
    team_of = {r.bib: r.team for r in flat.start.riders}
    assert 2 <= len(loss.intruders) <= 3
    assert all(team_of[b] != loss.team for b in loss.intruders)

    def apart(where: dict[Bib, float]) -> float:
        return (where[loss.leadout] - where[loss.sprinter]) * 1000

    both = [f for f in flat.finale if loss.sprinter in f[1] and loss.leadout in f[1]]
    before = [f for f in both if loss.km_to_go + 0.05 <= f[0] <= 3.0]
    assert before
    assert all(apart(w) <= 2.5 for _, w, _ in before)
    opened_at = loss.km_to_go - loss.opens_over_m / 1000
    after = [f for f in both if f[0] <= opened_at]
    assert len(after) >= 5
    for head, where, _ in after:
        assert 12 <= apart(where) <= 32, head
        if head > 0.3:
            between = {b for b in where if where[loss.sprinter] < where[b] < where[loss.leadout]}
            assert {b for b in loss.intruders if b in where} <= between, head
            assert between, head


def test_winner_wins_the_bunch_sprint(flat: Run) -> None:
    facts = flat.facts
    assert facts.winner in flat.first_finishers
    assert flat.finish_gap[facts.winner] == 0.0
    assert facts.winner != (facts.wheel_loss.sprinter if facts.wheel_loss else None)
    assert facts.winner in [facts.trains[c][-1] for c in facts.sprint_teams]
    bunch = [flat.finish_gap[b] for b in facts.groups_at_finish["peloton"]]
    assert max(bunch) <= 15
    for b in facts.dropped:
        assert 120 <= flat.finish_gap[b] <= 420
        assert abs(flat.finish_gap[b] - facts.finish_gaps["dropped"]) < 20
    assert 42 <= facts.winner_speed_kmh <= 47
    assert facts.limit_percent == limit_percent(1, facts.winner_speed_kmh)


# --- the mountain stage's story -----------------------------------------------------------------


def test_grupetto_holds_the_sprinters_and_most_lead_out_men(mountain: Run) -> None:
    facts = mountain.facts
    assert 30 <= len(facts.grupetto) <= 60
    assert set(facts.sprinters.values()) <= set(facts.grupetto)
    leadouts = {b for train in facts.trains.values() for b in train[:-1]}
    assert len(leadouts & set(facts.grupetto)) > len(leadouts) / 2
    sprinters = set(facts.sprinters.values())
    for km in (90, 60, 40, 20):
        gaps = [f.feed_gap_s or 0.0 for b, f in mountain.snapshots[km].items() if b in sprinters]
        assert max(gaps) - min(gaps) <= 45, km
        assert min(gaps) >= 300, km


def test_grupetto_finishes_inside_the_cut_and_the_dropped_outside(mountain: Run) -> None:
    facts = mountain.facts
    assert 33 <= facts.winner_speed_kmh <= 38
    assert facts.limit_percent == limit_percent(4, facts.winner_speed_kmh)
    assert facts.cut_s == pytest.approx(facts.winner_time_s * facts.limit_percent / 100, abs=0.1)
    assert mountain.finish_gap[facts.winner] == 0.0
    assert min(mountain.finish_gap.values()) == 0.0
    grupetto = [mountain.finish_gap[b] for b in facts.grupetto]
    assert max(grupetto) <= facts.cut_s
    assert 60 <= facts.cut_s - max(grupetto) <= 180
    assert facts.grupetto_margin_s is not None
    assert 60 <= facts.grupetto_margin_s <= 180
    assert 2 <= len(facts.outside_cut) <= 3
    for bib, expected in facts.outside_cut.items():
        assert mountain.finish_gap[bib] > facts.cut_s
        assert abs(mountain.finish_gap[bib] - expected) < 30


def test_grupetto_margin_goes_safe_tight_danger_tight(mountain: Run) -> None:
    ranges = mountain.facts.margin_ranges
    assert [r.status for r in ranges] == ["safe", "tight", "danger", "tight"]
    danger = ranges[2]
    assert 20 <= danger.from_km_to_go <= 30
    assert 10 <= danger.to_km_to_go < danger.from_km_to_go


def test_mountain_break_and_favourites(mountain: Run) -> None:
    facts = mountain.facts
    assert 5 <= len(facts.break_riders) <= 9
    assert not set(facts.break_riders) & set(facts.grupetto)
    assert facts.winner not in facts.break_riders
    finishers = facts.groups_at_finish
    assert sum(len(bibs) for bibs in finishers.values()) == 176
    ahead = sorted((gap, name) for name, gap in facts.finish_gaps.items() if gap < 600)
    assert len(ahead) >= 4
    assert len(mountain.snapshots[10]) > 150


# --- facts for any seed -------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_flat_script_holds_for_any_seed(seed: int) -> None:
    facts = scenario_facts("flat", seed)
    team_of = {r.bib: r.team for r in roster().riders}
    assert 2 <= len(facts.break_riders) <= 4
    assert len({team_of[b] for b in facts.break_riders}) == len(facts.break_riders)
    assert not {team_of[b] for b in facts.break_riders} & set(facts.sprint_teams)
    assert 10 <= facts.catch_km_to_go <= 15
    assert sorted(facts.train_order) == sorted(facts.sprint_teams)
    loss = facts.wheel_loss
    assert loss is not None
    assert loss.team in facts.train_order[:-1]
    assert facts.trains[loss.team][-2:] == (loss.leadout, loss.sprinter)
    assert facts.winner != loss.sprinter
    assert facts.winner in {facts.trains[c][-1] for c in facts.train_order}


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_mountain_script_holds_for_any_seed(seed: int) -> None:
    facts = scenario_facts("mountain", seed)
    assert set(facts.sprinters.values()) <= set(facts.grupetto)
    assert 30 <= len(facts.grupetto) <= 60
    assert not set(facts.outside_cut) & set(facts.grupetto)
    assert all(gap > facts.cut_s for gap in facts.outside_cut.values())
    assert facts.grupetto_margin_s is not None
    assert 60 <= facts.grupetto_margin_s <= 180
    assert [r.status for r in facts.margin_ranges] == ["safe", "tight", "danger", "tight"]


@pytest.mark.parametrize(
    ("coefficient", "speed", "percent"),
    [
        (4, 30.0, 7),
        (4, 30.01, 8),
        (4, 31.0, 8),
        (4, 35.8, 13),
        (4, 37.5, 15),
        (4, 40.0, 17),
        (4, 40.01, 18),
        (1, 36.0, 4),
        (1, 36.5, 5),
        (1, 38.0, 5),
        (1, 47.49, 10),
        (1, 50.0, 11),
        (1, 50.2, 12),
        (2, 35.0, 6),
        (2, 35.01, 7),
        (2, 41.69, 13),
        (2, 46.0, 17),
        (2, 46.01, 18),
    ],
)
def test_time_limit_bands(coefficient: int, speed: float, percent: int) -> None:
    assert limit_percent(coefficient, speed) == percent


@pytest.mark.parametrize("coefficient", [1, 2, 4])
def test_time_limit_bands_are_the_rules_files(coefficient: int) -> None:
    """The simulator's table (its own, so that the two check each other) and the engine's."""
    for tenth in range(280, 560):
        speed = tenth / 10
        assert limit_percent(coefficient, speed) == percent_for(tdf_rules(), coefficient, speed)


def test_time_limit_of_another_coefficient_is_refused() -> None:
    with pytest.raises(ValueError, match="coefficients 1, 2 and 4"):
        limit_percent(3, 40.0)


# --- the adapter --------------------------------------------------------------------------------


def test_options_defaults_and_documentation() -> None:
    options = SimulatedOptions()
    assert (
        options.scenario,
        options.seed,
        options.speed,
        options.cadence_s,
        options.noise_m,
        options.skip_to_km,
    ) == ("flat", 2026, 20, 6, 4, None)
    for name, info in SimulatedOptions.model_fields.items():
        assert info.description, f"option {name} has no docstring"
    assert SimulatedFeed.name == "simulated"
    assert SimulatedFeed.Options is SimulatedOptions
    assert SimulatedFeed.capabilities.pause


@pytest.mark.parametrize(
    "bad",
    [
        {"sped": 2},
        {"speed": -1},
        {"speed": 101},
        {"cadence_s": 0.5},
        {"cadence_s": 61},
        {"noise_m": -1},
        {"scenario": "gravel"},
        {"skip_to_km": -3},
        {"seed": "abc"},
    ],
)
def test_options_reject_bad_values(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SimulatedOptions.model_validate(bad)


def test_adapter_needs_its_own_options() -> None:
    adapter: type[FeedAdapter] = SimulatedFeed  # As the registry hands it out: any adapter.
    with pytest.raises(TypeError, match="SimulatedFeed needs SimulatedOptions, not FeedOptions"):
        adapter(FeedOptions())


@pytest.mark.parametrize(
    ("scenario", "cadence_s", "noise_m"), [("gravel", 6, 4), ("flat", 0, 4), ("flat", 6, -1)]
)
def test_simulate_rejects_bad_arguments_at_once(
    scenario: str, cadence_s: float, noise_m: float
) -> None:
    with pytest.raises(ValueError, match=r"scenario|cadence|noise"):
        simulate(scenario, SEED, cadence_s=cadence_s, noise_m=noise_m)


async def test_speed_zero_drains_the_whole_stage() -> None:
    feed = SimulatedFeed(SimulatedOptions(scenario="mountain", speed=0, cadence_s=60))
    events = [event async for event in feed.events()]
    first, second, last = events[0], events[1], events[-1]
    assert isinstance(first, FeedStatus)
    assert first.state == "live"
    assert first.detail == "simulated mountain stage, seed 2026"
    assert isinstance(second, StartList)
    assert isinstance(last, FeedStatus)
    assert last.state == "ended"
    frames = [e for e in events if isinstance(e, Telemetry)]
    expected = sum(isinstance(e, Telemetry) for e in simulate("mountain", SEED, cadence_s=60))
    assert len(frames) == expected
    assert all(fix.finished for fix in frames[-1].riders)


class Consumer:
    """Reads a feed in a background task, as the app does, recording what arrives."""

    def __init__(self, feed: SimulatedFeed) -> None:
        self.feed = feed
        self.events: list[FeedEvent] = []
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        stream = self.feed.events()
        try:
            async for event in stream:
                self.events.append(event)
                self.arrived.set()
        finally:
            if isinstance(stream, AsyncGenerator):
                await stream.aclose()

    @property
    def frames(self) -> list[Telemetry]:
        return [e for e in self.events if isinstance(e, Telemetry)]

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Return once `condition()` holds, checked after each event (callers set a timeout)."""
        while not condition():
            self.arrived.clear()
            await self.arrived.wait()

    async def stop(self) -> None:
        self.task.cancel()
        with suppress(asyncio.CancelledError):
            await self.task


@pytest.fixture
async def consumers() -> AsyncIterator[list[Consumer]]:
    """Consumers started by a test, stopped when it ends (even when it fails)."""
    started: list[Consumer] = []
    yield started
    for consumer in started:
        await consumer.stop()


async def test_pause_holds_delivery(consumers: list[Consumer]) -> None:
    # Speed 0: unpaused, an event every loop turn, so loop turns measure the hold, not a clock.
    feed = SimulatedFeed(SimulatedOptions(speed=0, cadence_s=6, noise_m=0))
    reader = Consumer(feed)
    consumers.append(reader)
    async with asyncio.timeout(10):
        await reader.wait_for(lambda: len(reader.frames) >= 3)
    feed.pause()
    await loop_turns()  # an event already due when pausing may still arrive
    held = len(reader.events)
    await loop_turns()  # a hundred events' worth at this speed
    assert len(reader.events) == held
    feed.resume()
    async with asyncio.timeout(2):
        await reader.wait_for(lambda: len(reader.events) > held)


async def test_skip_to_km_delivers_the_early_frames_at_once(consumers: list[Consumer]) -> None:
    def head(frame: Telemetry) -> float:
        return min(fix.km_to_finish or 0.0 for fix in frame.riders)

    skipped = sum(
        isinstance(e, Telemetry) and head(e) > 20
        for e in simulate("flat", SEED, cadence_s=60, noise_m=0)
    )
    feed = SimulatedFeed(SimulatedOptions(speed=1, cadence_s=60, noise_m=0, skip_to_km=20))
    reader = Consumer(feed)
    consumers.append(reader)
    async with asyncio.timeout(10):
        await reader.wait_for(lambda: len(reader.frames) >= skipped + 1)
    # Real time from here: the next frame is a minute away. Still skipping, it would come at
    # once (an event per loop turn).
    await loop_turns()
    frames = reader.frames
    assert len(frames) == skipped + 1
    assert head(frames[-2]) > 20 >= head(frames[-1])
