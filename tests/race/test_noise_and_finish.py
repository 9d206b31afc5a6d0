"""The noise and the finish: the head of the race has no trend, the sprint's result once the
winner is in, and the sprinters behind the bunch left out of the lead-out panel."""

from __future__ import annotations

import re

import pytest

from race.leadout.result import RESULT_PLACES
from race.wording import ordinal
from tests.support.stages import flat_at, mountain_at, stage_run
from tui.panels.leadout import leadout_lines
from tui.panels.sprint import in_the_fight

FRONT = re.compile(r"(\d+(?:st|nd|rd|th)) … ")
"""A lead-out row's first rider's place before the men it has no room for."""


@pytest.mark.parametrize("scenario", ["flat", "mountain"])
def test_the_head_of_the_race_has_no_trend(scenario: str) -> None:
    run = stage_run(scenario)
    heads = 0
    behind_with_trend = 0
    for _, situation in run.situations:
        if situation.winner_finished:
            continue
        road = [g for g in situation.groups if not g.finished]
        if not road:
            continue
        heads += 1
        head = road[0]
        assert head.gap_s == 0
        assert head.trend_s_per_10km is None, (head.name, situation.head_km_to_finish)
        assert head.trend_basis is None
        behind_with_trend += sum(g.trend_s_per_10km is not None for g in road[1:])
    assert heads > 100
    assert behind_with_trend > 100  # The groups behind keep theirs.


def test_after_the_catch_the_new_head_has_no_trend() -> None:
    """On the flat stage the peloton catches the break in the finale: from then it is the
    reference, not a group closing at −73 s/10 km on itself."""
    run = stage_run("flat")
    previous: str | None = None
    catches = 0
    for _, situation in run.situations:
        road = [g for g in situation.groups if not g.finished]
        if situation.winner_finished or not road:
            continue
        if previous is not None and road[0].id != previous and road[0].kind == "peloton":
            catches += 1
            assert road[0].trend_s_per_10km is None
        previous = road[0].id
    assert catches >= 1


@pytest.mark.parametrize("scenario", ["flat", "mountain"])
def test_after_the_line_the_sprint_result(scenario: str) -> None:
    run = stage_run(scenario)
    before = [s for _, s in run.situations if not s.winner_finished]
    assert all(not s.finale.result for s in before)
    last = run.last
    assert last is not None
    result = last.finale.result
    assert len(result) == RESULT_PLACES
    assert result[0] == last.winner
    assert len(set(result)) == len(result)
    finishers = [bib for g in last.groups if g.finished for bib in g.riders]
    assert finishers[: len(result)] == list(result)
    lines = [ln.plain for ln in leadout_lines(last, wide=False, data_age_s=None)]
    assert lines[0].startswith("Sprint result: provisional")
    assert lines[1].startswith("1st")
    assert last.roster.name(result[0]) in lines[1]
    assert not any("km to go" in text for text in lines)


def test_mountain_sprinters_behind_the_bunch_are_counted_not_listed() -> None:
    _, situation = mountain_at(100.0)
    assert situation.leadout, "the mountain stage's sprinters are known from their roles"
    fighting = [t for t in situation.leadout if in_the_fight(t, situation)]
    lines = [ln.plain for ln in leadout_lines(situation, wide=False, data_age_s=None)]
    out = len(situation.leadout) - len(fighting)
    assert out > 0
    assert f"+{out} sprinters behind the bunch" in lines
    for train in situation.leadout:
        if train not in fighting:
            assert not any(text.startswith(train.team) for text in lines)


def test_one_sprinter_behind_the_bunch_is_one_sprinter() -> None:
    _, situation = mountain_at(100.0)
    fighting = [t for t in situation.leadout if in_the_fight(t, situation)]
    behind = [t for t in situation.leadout if t not in fighting]
    one_behind = situation.model_copy(update={"leadout": (*fighting, behind[0])})
    lines = [ln.plain for ln in leadout_lines(one_behind, wide=False, data_age_s=None)]
    assert "+1 sprinter behind the bunch" in lines


def test_a_row_without_room_for_its_first_men_says_where_the_train_starts() -> None:
    """The list is in the order of the trains' first riders: a row that hides them gives the
    first one's place before the "…", unless a row would then be cut: then none does."""
    _, situation = flat_at(1.0)
    first = {t.team: ordinal(t.riders[0].rank) for t in situation.leadout}
    roomy = [ln.plain for ln in leadout_lines(situation, wide=False, data_age_s=None)]
    fronts = [(text[:3], m[1]) for text in roomy if (m := FRONT.search(text))]
    assert len(fronts) >= 3
    assert all(first[team] == place for team, place in fronts)
    width = max(len(text) for text in roomy) - 1
    tight = [ln.plain for ln in leadout_lines(situation, wide=False, data_age_s=None, width=width)]
    assert max(len(text) for text in tight) <= width
    assert not any(FRONT.search(text) for text in tight)


def test_a_lone_rider_for_the_win_is_one_rider() -> None:
    """The mountain stage's finale: a small group sprints without trains; alone, he is one."""
    _, situation = mountain_at(5.0)
    assert situation.finale.makeup
    alone = situation.finale.model_copy(update={"makeup": situation.finale.makeup[:1]})
    lines = leadout_lines(
        situation.model_copy(update={"finale": alone}), wide=False, data_age_s=None
    )
    assert " · 1 rider for the win, " in lines[0].plain
