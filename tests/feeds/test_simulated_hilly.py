"""The simulated hilly stage: the frames show what its script says.

A break of 30-35 riders 3-4 minutes clear until the peloton sits up; the break splitting on the
climbs into a head and a chase; a group of about ten sprinting for the win; the peloton more than
12 minutes down; stragglers more than 35 minutes down, outside the time limit of coefficient 2.
Checked from the raw fixes (km to go, feed gaps) against `scenario_facts()`, never from the
simulator's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.adapters.simulated import SimulatedOptions
from feeds.simulation import ScenarioFacts, limit_percent, scenario_facts
from feeds.simulation.scenarios import roster
from race.models import Bib, RaceNews, RiderFix, StartList, Telemetry
from race.timelimit.rules import percent_for
from tests.support.docstrings import field_docstrings
from tests.support.stages import SEED, stage_events, tdf_rules

pytestmark = pytest.mark.slow

MARKS = (170, 160, 150, 120, 100, 80, 60, 40, 30, 20, 10, 5)
"""Km to go of the head at which a whole frame is kept."""
STRAGGLER_S = 35 * 60
TRACKED = ("peloton", "chase", "chase-dropped", "grupetto")
"""Groups whose scripted gaps are checked, besides the stragglers' own groups."""


@dataclass
class Run:
    """What the tests need from the stage, extracted in one pass over its events."""

    facts: ScenarioFacts
    start: StartList
    snapshots: dict[int, dict[Bib, RiderFix]] = field(default_factory=dict)
    finish_gap: dict[Bib, float] = field(default_factory=dict)
    first_finishers: set[Bib] = field(default_factory=set)
    news: list[RaceNews] = field(default_factory=list)
    frame_times: list[float] = field(default_factory=list)
    gap_errors: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    """For each scripted group: (its front rider's km to go, his feed gap minus the scripted gap)
    at the first frame past each whole km of the script."""


def _scripted(samples: tuple[tuple[float, float], ...], km: float) -> float:
    """The scripted gap at `km` to go, interpolated between the script's whole-km samples."""
    table = dict(samples)
    low = int(km)
    high = min(low + 1, int(max(table)))
    return table[low] + (table[high] - table[low]) * (km - low)


def play() -> Run:
    facts = scenario_facts("hilly", SEED)
    stream = iter(stage_events("hilly"))
    start = next(stream)
    assert isinstance(start, StartList)
    run = Run(facts=facts, start=start)
    marks = list(MARKS)
    scripted = {
        name: samples
        for name, samples in facts.scripted_gaps.items()
        if name in TRACKED or name.startswith("dropped-")
    }
    # The first km of a group is left out (its riders settle into it), and the line (finish
    # gaps are checked on their own).
    pending = {name: sorted(dict(s), reverse=True)[1:-1] for name, s in scripted.items()}
    for event in stream:
        if isinstance(event, RaceNews):
            run.news.append(event)
            continue
        assert isinstance(event, Telemetry)
        run.frame_times.append(event.t)
        for r in event.riders:
            if r.finished:
                run.finish_gap.setdefault(r.bib, r.feed_gap_s or 0.0)
        if not run.first_finishers:
            run.first_finishers = {r.bib for r in event.riders if r.finished}
        live = [r for r in event.riders if not r.finished]
        if event.t < facts.start_t or not live:
            continue
        head = min(r.km_to_finish or 0.0 for r in live)
        while marks and head <= marks[0]:
            run.snapshots[marks.pop(0)] = {r.bib: r for r in live}
        for name, kms in pending.items():
            riders = [r for r in live if r.bib in facts.groups_at_finish[name]]
            if not riders or not kms:
                continue
            front = min(riders, key=lambda r: r.km_to_finish or 0.0)
            km = front.km_to_finish or 0.0
            while kms and km <= kms[0]:
                kms.pop(0)
                error = (front.feed_gap_s or 0.0) - _scripted(scripted[name], km)
                run.gap_errors.setdefault(name, []).append((km, error))
    return run


@pytest.fixture(scope="module")
def hilly() -> Run:
    return play()


def _gaps(run: Run, km: int, bibs: tuple[Bib, ...]) -> list[float]:
    fixes = run.snapshots[km]
    return [fixes[b].feed_gap_s or 0.0 for b in bibs if b in fixes]


def _kms(run: Run, km: int, bibs: tuple[Bib, ...]) -> list[float]:
    fixes = run.snapshots[km]
    return [fixes[b].km_to_finish or 0.0 for b in bibs if b in fixes]


# --- the stage ----------------------------------------------------------------------------------


def test_stage_is_182_km_with_five_categorised_climbs(hilly: Run) -> None:
    stage = hilly.start.stage
    assert (stage.type, stage.coefficient, stage.distance_km) == ("hilly", 2, 182.0)
    assert stage.start == "Pau"
    assert stage.finish == "Bayonne"
    assert [c.category for c in stage.climbs] == ["4", "3", "2", "2", "3"]
    assert all(3.0 < (c.gradient_pct or 0.0) < 8.0 for c in stage.climbs)
    assert 18 <= stage.distance_km - stage.climbs[-1].summit_km <= 22


def test_simulated_feed_offers_the_hilly_scenario() -> None:
    assert SimulatedOptions.model_validate({"scenario": "hilly"}).scenario == "hilly"
    assert '"hilly"' in field_docstrings(SimulatedOptions)["scenario"]


# --- the break ----------------------------------------------------------------------------------


def test_a_break_of_30_to_35_goes_clear_early(hilly: Run) -> None:
    facts = hilly.facts
    team_of = {r.bib: r.team for r in hilly.start.riders}
    role_of = {r.bib: r.role for r in hilly.start.riders}
    assert 30 <= len(facts.break_riders) <= 35
    assert facts.break_km_to_go >= facts.distance_km - 10
    assert all(role_of[b] in ("climber", "domestique") for b in facts.break_riders)
    teams = [team_of[b] for b in facts.break_riders]
    assert max(teams.count(t) for t in teams) <= 2
    fixes = hilly.snapshots[170]
    others = [f.km_to_finish or 0.0 for b, f in fixes.items() if b not in facts.break_riders]
    assert max(_kms(hilly, 170, facts.break_riders)) < min(others)


@pytest.mark.parametrize("km", [160, 150, 120, 100])
def test_the_break_is_3_to_4_minutes_clear_until_the_peloton_sits_up(hilly: Run, km: int) -> None:
    facts = hilly.facts
    peloton = facts.groups_at_finish["peloton"]
    assert 180 <= min(_gaps(hilly, km, peloton)) <= 240
    assert max(_gaps(hilly, km, facts.break_riders)) <= 10


@pytest.mark.parametrize("km", [80, 60, 40, 20, 10, 5])
def test_the_peloton_sits_up_7_to_13_minutes_down(hilly: Run, km: int) -> None:
    gaps = _gaps(hilly, km, hilly.facts.groups_at_finish["peloton"])
    assert 420 <= min(gaps) <= max(gaps) <= 800


def test_the_break_splits_into_a_head_and_a_chase(hilly: Run) -> None:
    facts = hilly.facts
    head, chase, bridge = facts.head, facts.chase, facts.bridge
    assert head is not None
    assert chase is not None
    assert bridge is not None
    assert 2 <= len(head.riders) <= 3
    assert sorted((*head.riders, *chase.riders)) == sorted(facts.break_riders)
    assert set(bridge.riders) < set(chase.riders)
    assert head.from_km_to_go == chase.from_km_to_go > bridge.from_km_to_go > head.to_km_to_go
    assert head.to_km_to_go == bridge.to_km_to_go == facts.catch_km_to_go
    apart = [km for km in MARKS if head.to_km_to_go < km < head.from_km_to_go - 5]
    assert apart
    for km in apart:
        assert max(_gaps(hilly, km, head.riders)) <= 3
        assert min(_gaps(hilly, km, chase.riders)) >= 20, km
        assert max(_kms(hilly, km, head.riders)) < min(_kms(hilly, km, chase.riders))
    behind = tuple(b for b in chase.riders if b not in bridge.riders)
    leads = [min(_gaps(hilly, km, behind)) for km in apart]
    assert leads == sorted(leads)


def test_the_chase_loses_riders_on_the_last_climb(hilly: Run) -> None:
    facts = hilly.facts
    assert facts.chase is not None
    groups, gaps = facts.groups_at_finish, facts.finish_gaps
    assert sorted((*groups["chase"], *groups["chase-dropped"])) == sorted(
        set(facts.chase.riders) - set(facts.winning_group)
    )
    assert 3 <= len(groups["chase-dropped"]) <= 5
    assert 60 <= gaps["chase"] < gaps["chase-dropped"] < gaps["peloton"]
    for name in ("chase", "chase-dropped"):
        finished = [hilly.finish_gap[b] for b in groups[name]]
        assert gaps[name] - 1 <= min(finished) <= max(finished) <= gaps[name] + 10


# --- the finish ---------------------------------------------------------------------------------


def test_a_group_of_about_ten_sprints_for_the_win(hilly: Run) -> None:
    facts = hilly.facts
    group = facts.winning_group
    assert facts.head is not None
    assert facts.bridge is not None
    assert sorted((*facts.head.riders, *facts.bridge.riders)) == list(group)
    assert 8 <= len(group) <= 11
    assert facts.winner in group
    assert facts.groups_at_finish["front"] == group
    for km in (10, 5):
        assert max(_gaps(hilly, km, group)) <= 5
        assert max(_kms(hilly, km, group)) - min(_kms(hilly, km, group)) <= 0.1
    assert hilly.finish_gap[facts.winner] == 0.0
    assert facts.winner in hilly.first_finishers
    assert max(hilly.finish_gap[b] for b in group) <= 5
    rest = [gap for b, gap in hilly.finish_gap.items() if b not in group]
    assert min(rest) >= 60


def test_the_peloton_is_the_largest_group_and_finishes_12_minutes_down(hilly: Run) -> None:
    facts = hilly.facts
    groups = facts.groups_at_finish
    assert sum(len(bibs) for bibs in groups.values()) == 176
    assert sorted(b for bibs in groups.values() for b in bibs) == sorted(hilly.finish_gap)
    peloton = groups["peloton"]
    assert 110 <= len(peloton) <= 120
    assert len(peloton) == max(len(bibs) for bibs in groups.values())
    finished = [hilly.finish_gap[b] for b in peloton]
    assert 720 <= facts.finish_gaps["peloton"] <= min(finished) + 0.2
    assert max(finished) <= facts.finish_gaps["peloton"] + 30
    sprinters = {r.bib for r in hilly.start.riders if r.role == "sprinter"}
    assert sprinters - set(facts.stragglers) <= set(facts.grupetto)
    assert facts.finish_gaps["peloton"] < facts.finish_gaps["grupetto"] < facts.cut_s


def test_the_time_limit_is_the_tours_for_coefficient_2(hilly: Run) -> None:
    facts = hilly.facts
    assert 40 <= facts.winner_speed_kmh <= 44
    assert facts.limit_percent == limit_percent(2, facts.winner_speed_kmh)
    assert facts.limit_percent == percent_for(tdf_rules(), 2, facts.winner_speed_kmh)
    assert facts.cut_s == pytest.approx(facts.winner_time_s * facts.limit_percent / 100, abs=0.1)
    assert facts.winner_time_s == pytest.approx(
        facts.distance_km / facts.winner_speed_kmh * 3600, abs=1.0
    )
    outside = {b for b, gap in hilly.finish_gap.items() if gap > facts.cut_s}
    assert outside == set(facts.outside_cut) == set(facts.stragglers)
    assert facts.grupetto_margin_s is not None
    assert facts.grupetto_margin_s > 300


def test_stragglers_finish_35_minutes_down_outside_the_limit(hilly: Run) -> None:
    facts = hilly.facts
    role_of = {r.bib: r.role for r in hilly.start.riders}
    assert 2 <= len(facts.stragglers) <= 4
    assert any(role_of[b] == "sprinter" for b in facts.stragglers)
    for bib, expected in facts.stragglers.items():
        assert hilly.finish_gap[bib] >= STRAGGLER_S
        assert hilly.finish_gap[bib] > facts.cut_s
        assert hilly.finish_gap[bib] == pytest.approx(expected, abs=5)
        assert facts.outside_cut[bib] == expected
    early = [
        b
        for b in facts.stragglers
        if (fix := hilly.snapshots[20].get(b)) is not None
        and (fix.feed_gap_s or 0.0) >= STRAGGLER_S
        and (fix.km_to_finish or 0.0) >= 20
    ]
    assert early


def test_feed_gaps_follow_the_script(hilly: Run) -> None:
    """Every whole km of every tracked group: its front rider's feed gap is the scripted one."""
    names = set(hilly.gap_errors)
    assert names == {*TRACKED, *(n for n in hilly.facts.scripted_gaps if n.startswith("dropped-"))}
    for name, errors in hilly.gap_errors.items():
        assert len(errors) >= 10, name
        worst_km, worst = max(errors, key=lambda e: abs(e[1]))
        assert abs(worst) <= 3, (name, worst_km, worst)


def test_news_tell_the_story_in_time_order(hilly: Run) -> None:
    facts = hilly.facts
    times = [n.t for n in hilly.news]
    assert times == sorted(times)
    assert hilly.frame_times[0] <= times[0] <= times[-1] <= hilly.frame_times[-1]
    finish = [n for n in hilly.news if n.category == "finish"]
    assert finish[0].riders == (facts.winner,)
    assert f"+{facts.cut_s // 60:.0f}:" in finish[0].text
    named = {n.riders for n in finish if "outside the time limit" in n.text}
    assert named == {(b,) for b in facts.stragglers}
    assert any(n.category == "crash" for n in hilly.news)
    assert any(set(n.riders) == set(facts.break_riders) for n in hilly.news)


# --- facts for any seed -------------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_hilly_script_holds_for_any_seed(seed: int) -> None:
    facts = scenario_facts("hilly", seed)
    role_of = {r.bib: r.role for r in roster().riders}
    groups = facts.groups_at_finish
    assert 30 <= len(facts.break_riders) <= 35
    assert facts.head is not None
    assert 2 <= len(facts.head.riders) <= 3
    assert 8 <= len(facts.winning_group) <= 11
    assert facts.winner in facts.winning_group
    assert 110 <= len(groups["peloton"]) <= 120
    assert sum(len(bibs) for bibs in groups.values()) == 176
    peloton = dict(facts.scripted_gaps["peloton"])
    assert all(180 <= peloton[km] <= 240 for km in range(100, 166))
    assert all(420 <= peloton[km] <= 800 for km in range(0, 81))
    assert facts.finish_gaps["peloton"] >= 720
    assert 2 <= len(facts.stragglers) <= 4
    assert any(role_of[b] == "sprinter" for b in facts.stragglers)
    assert set(facts.outside_cut) == set(facts.stragglers)
    assert all(gap >= STRAGGLER_S and gap > facts.cut_s for gap in facts.stragglers.values())
    assert any(
        gap >= STRAGGLER_S and km >= 20
        for name, samples in facts.scripted_gaps.items()
        if name.startswith("dropped-")
        for km, gap in samples
    )
    assert facts.limit_percent == limit_percent(2, facts.winner_speed_kmh)


def test_another_seed_gives_another_hilly_stage() -> None:
    a, b = scenario_facts("hilly", SEED), scenario_facts("hilly", SEED + 1)
    assert (a.break_riders, a.winner, dict(a.stragglers)) != (
        b.break_riders,
        b.winner,
        dict(b.stragglers),
    )
