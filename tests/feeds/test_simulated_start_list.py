"""The simulated stage's start list: its roster (teams, trains, names, jerseys) and the stage it
describes (route, profile, climbs, start time).
"""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from feeds.simulation import scenario_facts, simulate
from race.models import StartList
from tests.support.simulated_runs import Run
from tests.support.stages import SEED

pytestmark = pytest.mark.slow


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
