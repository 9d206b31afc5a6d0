"""A rider's card (`race.card.rider_card`) on the simulated stages: the facts of the situation,
his own fix only when it is of the situation's moment, unknown as None."""

from __future__ import annotations

from feeds.simulation import scenario_facts
from race.card import OWN_FIX_FRESH_S, RiderReading, rider_card
from race.situation import Situation
from tests.support.stages import SEED, flat_at, mountain_at


def _group_of(situation: Situation, bib: int) -> str:
    return next(g.name for g in situation.groups if bib in g.riders)


def test_the_head_of_the_race_rider_on_the_flat_stage() -> None:
    _, situation = flat_at(60.0)
    head = situation.groups[0]
    bib = head.riders[0]
    card = rider_card(situation, bib)
    rider = situation.roster.riders[bib]
    assert card.name == f"{rider.first_name} {rider.last_name}"
    assert card.team_code == rider.team
    assert card.team_name == situation.roster.teams[rider.team].name
    assert card.nationality == rider.nationality
    assert card.group_name == head.name == "Head of race"
    assert card.group_gap_s == 0.0
    assert (card.km_to_finish, card.km_source) == (head.km_to_finish, "group")
    assert (card.speed_kmh, card.speed_source) == (head.speed_kmh, "group")
    assert card.limit_status is None
    assert card.limit_note == "at the head of the race"
    assert not card.marked


def test_a_rider_in_a_group_at_risk_has_his_time_limit_status_and_margin() -> None:
    _, situation = mountain_at(20.0)
    listed = situation.time_limit.riders[0]
    card = rider_card(situation, listed.bib)
    assert (card.limit_status, card.limit_margin_s) == (listed.status, listed.margin_s)
    # A rider not listed is safe: his group's margin is his.
    limit_group = next(g for g in situation.time_limit.groups if g.status == "safe")
    group = next(g for g in situation.groups if g.id == limit_group.id)
    shown = {r.bib for r in situation.time_limit.riders}
    bib = next(b for b in group.riders if b not in shown)
    card = rider_card(situation, bib)
    assert (card.limit_status, card.limit_margin_s) == ("safe", limit_group.margin_s)
    assert card.group_name == group.name


def test_jersey_and_role_from_the_situation() -> None:
    facts = scenario_facts("flat", SEED)
    _, situation = flat_at(60.0)
    wearer, jersey = next(iter(facts.jerseys.items()))
    assert rider_card(situation, wearer).jersey == jersey
    sprinter = next(iter(facts.sprinters.values()))
    assert rider_card(situation, sprinter).role == "sprinter"


def test_his_own_fix_when_it_is_of_the_moment() -> None:
    _, situation = flat_at(60.0)
    assert situation.t is not None
    bib = situation.groups[1].riders[3]
    own = RiderReading(t=situation.t, km_to_finish=62.31, speed_kmh=47.26)
    card = rider_card(situation, bib, own)
    assert (card.km_to_finish, card.km_source) == (62.31, "own")
    assert (card.speed_kmh, card.speed_source) == (47.3, "own")
    # Lost by the feed (an old fix), or newer than the screen: his group's.
    for t in (situation.t - OWN_FIX_FRESH_S - 1, situation.t + 6):
        card = rider_card(situation, bib, RiderReading(t=t, km_to_finish=62.3, speed_kmh=47.3))
        assert card.km_source == card.speed_source == "group"
    # No speed in his fix: his own km, his group's speed.
    card = rider_card(situation, bib, RiderReading(situation.t, 62.3, None))
    assert (card.km_source, card.speed_source) == ("own", "group")


def test_a_bib_nobody_rides_is_unknown_never_zero() -> None:
    _, situation = flat_at(60.0)
    card = rider_card(situation, 999)
    assert card.name is None
    assert card.team_code is None
    assert card.nationality is None
    assert card.group_name is None
    assert card.group_gap_s is None
    assert card.km_to_finish is None
    assert card.speed_kmh is None
    assert card.limit_status is None
    assert card.limit_margin_s is None
    assert card.limit_note == "not placed by the feed"


def test_after_the_finish_outside_the_limit_and_across_the_line() -> None:
    facts = scenario_facts("mountain", SEED)
    _, situation = mountain_at(0.0)
    late = next(iter(facts.outside_cut))
    card = rider_card(situation, late)
    assert card.finished
    assert (card.km_to_finish, card.speed_kmh) == (0.0, None)
    assert card.limit_status == "outside"
    assert card.limit_note == "finished outside the time limit"
    winner = rider_card(situation, facts.winner)
    assert winner.limit_note == "with the winner"


def test_marked_as_the_situation_says() -> None:
    _, situation = flat_at(60.0)
    bib = situation.groups[1].riders[0]
    assert rider_card(situation.model_copy(update={"marked": (bib,)}), bib).marked
    assert not rider_card(situation, bib).marked
