"""Riders the organiser lists as out of the race (the Race Center's withdrawals, told as an
abandon): whatever their device sends afterwards (the bike on a team car's roof, driven past
the race to the line) is no rider's on the road."""

from __future__ import annotations

import pytest

from race.engine import Race
from race.models import RaceNews
from race.situation import Situation
from tests.support.frames import T0
from tests.support.routed_race import FIELD, KMH, break_and_bunch, located, racing, routed_race

CAR_KMH = 65.0
QUITTER = 7


def _abandon(race: Race, t: float, bib: int = QUITTER) -> Situation:
    return race.apply(
        RaceNews(t=T0 + t, category="abandon", text=f"#{bib} has abandoned", riders=(bib,))
    )


def _with_the_car(race: Race, start: float, end: float, car_from: float) -> Situation:
    """The race rides on at 45 km/h; the quitter's device at 65 km/h, from the bunch."""
    situation = race.situation
    for t in range(int(start), int(end) + 1, 6):
        kms = {b: km - KMH * t / 3600 for b, km in break_and_bunch(100.0).items() if b != QUITTER}
        kms[QUITTER] = max(car_from - CAR_KMH * (t - start) / 3600, 0.0)
        situation = race.apply(located(t, kms))
    return situation


def _bibs(situation: Situation) -> set[int]:
    return {b for g in situation.groups for b in g.riders}


def test_a_rider_who_abandoned_is_no_longer_in_the_race() -> None:
    race = routed_race()
    before = racing(race, 0, 300, break_and_bunch(100.0))
    assert QUITTER in _bibs(before)
    situation = _abandon(race, 300)
    assert QUITTER not in _bibs(situation)
    assert situation.riders_tracked == len(FIELD) - 1
    assert situation.lost == ()
    assert [n.kind for n in situation.news] == ["abandon"]


def test_a_team_car_carrying_his_device_past_the_race_is_not_the_head() -> None:
    """After his abandon, his device drives past the break and on to the line: the break is
    still the head of the race, the bunch two minutes behind it, and nobody has won yet."""
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    _abandon(race, 300)
    situation = _with_the_car(race, 306, 1500, 100.0 - KMH * 300 / 3600)
    assert situation.head_rider == 1
    assert [g.size for g in situation.groups] == [1, len(FIELD) - 2]
    assert situation.groups[1].gap_s == pytest.approx(1.5 / KMH * 3600, abs=2)
    assert situation.winner is None
    assert QUITTER not in _bibs(situation)


def test_a_non_starter_listed_before_the_start_is_never_placed() -> None:
    race = routed_race()
    _abandon(race, -600)
    situation = _with_the_car(race, 0, 600, 100.0)
    assert QUITTER not in _bibs(situation)
    assert situation.head_rider == 1


def test_a_finish_made_before_the_listing_stands() -> None:
    race = routed_race()
    racing(race, 0, 120, {b: 0.6 for b in FIELD})
    situation = racing(race, 126, 240, {b: 0.0 for b in FIELD})
    assert situation.winner is not None
    winner = situation.winner
    situation = _abandon(race, 250, winner)
    assert situation.winner == winner
    assert situation.riders_tracked == len(FIELD)


def test_a_withdrawal_after_the_car_passed_the_race_gives_the_head_back() -> None:
    """The abandon told only once his device has driven past the break: the head of the race
    goes back to the break's road at once (the car's points are no head's)."""
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    _with_the_car(race, 306, 900, 100.0 - KMH * 300 / 3600)
    situation = _abandon(race, 900)
    situation = _with_the_car(race, 906, 960, 0.0)
    assert situation.head_rider == 1
    assert situation.head_km_to_finish == pytest.approx(98.5 - KMH * 960 / 3600, abs=0.02)
    assert situation.groups[1].gap_s == pytest.approx(1.5 / KMH * 3600, abs=2)
