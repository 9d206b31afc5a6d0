"""The simulated stages' scripts for any seed, and the simulator's own time-limit table checked
against the published bands and the engine's rule files.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.simulation import limit_percent, scenario_facts
from feeds.simulation.scenarios import roster
from race.timelimit.rules import percent_for
from tests.support.stages import tdf_rules

pytestmark = pytest.mark.slow


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


# --- the simulator's time-limit table ---------------------------------------------------------


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
