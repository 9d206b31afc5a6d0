"""What holds for every class of every bundled rule set: the percentage never falls as the speed
rises, the limit never falls as the winner's time grows, the cut stays within one rounding unit
of the exact one.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from race.timelimit.rules import CutResult, RuleSet, cut_seconds, percent_for, time_limit
from tests.support.rule_sets import ALL_RULES, TDF

rule_and_class = st.sampled_from(
    [(rules, key) for rules in ALL_RULES for key in rules.coefficients]
)


speeds = st.floats(min_value=0.0, max_value=90.0, allow_nan=False)
winner_times = st.floats(min_value=600.0, max_value=40_000.0, allow_nan=False)


@given(rule_and_class, speeds, speeds)
def test_percent_never_decreases_with_speed(pair: tuple[RuleSet, str], a: float, b: float) -> None:
    rules, key = pair
    slow, fast = sorted((a, b))
    assert percent_for(rules, key, slow) <= percent_for(rules, key, fast)


@given(st.sampled_from(list(TDF.coefficients)), speeds, winner_times, winner_times)
def test_tour_cut_positive_and_monotone_in_winner_time(
    key: str, speed: float, a: float, b: float
) -> None:
    percent = percent_for(TDF, key, speed)
    short, long = sorted((a, b))
    assert 0 < cut_seconds(TDF, short, percent) <= cut_seconds(TDF, long, percent)


@given(rule_and_class, speeds, winner_times, winner_times)
def test_limit_monotone_and_cut_within_one_unit(
    pair: tuple[RuleSet, str], speed: float, a: float, b: float
) -> None:
    # The Giro rounds the limit up to the minute, so its margin is a saw-tooth in the winner's
    # time; the limit itself never decreases, and the cut stays within one unit of the exact one.
    rules, key = pair
    percent = percent_for(rules, key, speed)
    short, long = sorted((a, b))
    cut_short = cut_seconds(rules, short, percent)
    assert short + cut_short <= long + cut_seconds(rules, long, percent)
    exact = short * percent / 100
    unit = rules.rounding.unit_s
    assert cut_short > 0
    if rules.rounding.mode == "up":
        assert exact - 1e-6 <= cut_short < exact + unit + 1e-6
    else:
        assert exact - unit - 1e-6 < cut_short <= exact + 1e-6


@given(rule_and_class, winner_times, st.floats(min_value=20.0, max_value=300.0))
def test_time_limit_is_consistent(pair: tuple[RuleSet, str], winner: float, km: float) -> None:
    rules, key = pair
    result = time_limit(rules, key, winner, km, extra_points=1.5)
    assert isinstance(result, CutResult)
    assert result.percent == result.base_percent + 1.5
    assert result.limit_s == pytest.approx(winner + result.cut_s)
    assert result.cut_s == cut_seconds(rules, winner, result.base_percent, 1.5)
