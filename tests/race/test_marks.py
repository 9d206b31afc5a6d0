"""Marks made during the race (`Race.set_marked`): named in their groups at once, alerted when
dropped, watched against the time limit; the engine stays deep-copyable with them."""

from __future__ import annotations

import copy

from feeds.simulation import scenario_facts
from race.engine import Race
from race.settings import TeamSettings
from race.situation import Situation
from tests.support.engines import apply_until, engine_at
from tests.support.stages import SEED, engine_settings, stage_events, stage_run


def _marked_in_groups(situation: Situation) -> set[int]:
    return {n.bib for g in situation.groups for n in g.notable if "marked" in n.reasons}


def test_a_mark_is_named_in_his_group_at_once_and_an_unmark_too() -> None:
    race, _ = engine_at("flat", 60.0)
    peloton = next(g for g in race.situation.groups if g.name == "Peloton")
    bib = next(b for b in reversed(peloton.riders) if b not in _marked_in_groups(race.situation))
    marked = race.set_marked({bib})
    assert marked.marked == (bib,)
    assert _marked_in_groups(marked) == {bib}
    assert marked.t == race.situation.t  # Not a frame: the same instant, named again.
    unmarked = race.set_marked(set())
    assert unmarked.marked == ()
    assert _marked_in_groups(unmarked) == set()


def test_setting_the_same_marks_changes_nothing() -> None:
    race = Race(engine_settings(team=TeamSettings(marked=(4, 9))))
    before = race.situation
    assert race.set_marked([9, 4]) is before


def test_config_marks_are_the_first_set() -> None:
    race = Race(engine_settings(team=TeamSettings(marked=(9, 4))))
    start = race.apply(stage_events("flat")[0])
    assert start.marked == (4, 9)
    assert race.set_marked({4}).marked == (4,)


def test_a_rider_marked_during_the_race_is_alerted_when_dropped() -> None:
    facts = scenario_facts("flat", SEED)
    punctured = facts.dropped[0]
    race, events = engine_at("flat", 60.0)
    assert not any(a.kind == "rider_dropped" for a in race.situation.alerts)
    race.set_marked({punctured})
    apply_until(race, events, 25.0)
    dropped = [a for a in race.situation.alerts if a.kind == "rider_dropped"]
    name = race.situation.roster.name(punctured)
    assert any(a.text.startswith(f"{name} dropped from the peloton") for a in dropped), dropped
    # And he is named wherever he is: in the group behind.
    group = next(g for g in race.situation.groups if punctured in g.riders)
    assert group.name != "Peloton"
    assert punctured in _marked_in_groups(race.situation)


def test_no_rider_is_alerted_dropped_when_none_is_marked() -> None:
    last = stage_run("flat").last
    assert last is not None
    assert last.marked == ()
    assert not any(a.kind == "rider_dropped" for a in last.alerts)


def test_a_marked_rider_is_watched_against_the_time_limit() -> None:
    race, events = engine_at("flat", 60.0)
    peloton = next(g for g in race.situation.groups if g.name == "Peloton")
    watched_before = {b for g in race.situation.time_limit.groups for b in g.watched}
    bib = next(b for b in peloton.riders if b not in watched_before)
    race.set_marked({bib})
    apply_until(race, events, 59.0)
    limit = race.situation.time_limit
    assert bib in {b for g in limit.groups for b in g.watched}
    rider = next(r for r in limit.riders if r.bib == bib)
    assert rider.watched
    assert not limit.watch_all  # The sprinters are named: the watch is not widened.


def test_the_engine_with_marks_copies_whole() -> None:
    race, events = engine_at("flat", 60.0)
    race.set_marked({11})
    twin = copy.deepcopy(race)
    twin.set_marked({12})
    assert race.situation.marked == (11,)
    apply_until(twin, events, 59.5)
    assert twin.situation.marked == (12,)
    assert 12 in _marked_in_groups(twin.situation)
    assert 11 not in _marked_in_groups(twin.situation)
