"""The simulated flat and mountain stages show what their scripts say: the break, the trains
and the wheel lost in the finale, the bunch sprint; the grupetto, its margin on the cut, the
riders finishing outside it.

The frames are checked from the raw fixes (km to go, GPS positions projected back onto the
route, feed gaps), never from the simulator's internals, against `scenario_facts()`.
"""

from __future__ import annotations

import itertools

import pytest

from feeds.simulation import limit_percent
from race.models import Bib
from tests.support.simulated_runs import Run

pytestmark = pytest.mark.slow


def _order(where: dict[Bib, float]) -> list[Bib]:
    return sorted(where, key=lambda b: -where[b])


def _snapshot(run: Run, at_km: float) -> tuple[float, dict[Bib, float], dict[Bib, float]]:
    """The finale frame closest to `at_km` to go."""
    return min(run.finale, key=lambda f: abs(f[0] - at_km))


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
