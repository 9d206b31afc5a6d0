"""Roles in the engine, on the simulated flat stage: the roles file, a configured train and a
choice during the race reach the lead-out's trains and the time limit's watched riders, and a
choice during the race resets nothing learned."""

from __future__ import annotations

from collections.abc import Iterator

from race.engine import Race
from race.models import FeedEvent, Telemetry
from race.roles import DeclaredRoles, RolesFile
from race.settings import EngineSettings, TeamSettings
from race.situation import Situation
from tests.support.engines import engine_at
from tests.support.stages import FINALE_KM, engine_settings, stage_events, stage_run

TEAM = "KST"
SPRINTER = 54
"""KST's sprinter in the simulated start list (H. McAllister); 55 (R. Thornley) and 57, 52, 53
are his lead-out men, 11 (F. Thornley) rides for HLG."""


def play(race: Race, events: Iterator[FeedEvent], until_km: float) -> Situation:
    """Apply events until the head of the race is at `until_km` to go."""
    for event in events:
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if isinstance(event, Telemetry) and head is not None and head <= until_km:
            return situation
    raise AssertionError(f"the stage never reached {until_km} km to go")


def watched(situation: Situation) -> set[int]:
    return {bib for group in situation.time_limit.groups for bib in group.watched}


def train_of(situation: Situation, team: str) -> tuple[int | None, tuple[int, ...], str] | None:
    for train in situation.leadout:
        if train.team == team:
            return train.sprinter, tuple(r.bib for r in train.riders), train.source
    return None


def finale(race: Race, events: Iterator[FeedEvent]) -> list[Situation]:
    out = []
    for event in events:
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if situation.winner_finished:
            break
        if isinstance(event, Telemetry) and head is not None and head <= FINALE_KM:
            out.append(situation)
    return out


def test_a_sprinter_set_during_the_race_is_followed_and_nothing_learned_is_lost() -> None:
    race, events = engine_at("flat", 60.0)  # As `play(race, events, 60.0)` leaves it.
    before = race.situation
    assert SPRINTER in watched(before)
    said = race.set_sprinter(55)
    assert said.alerts[-1].text == "KST's sprinter set to R. Thornley"
    assert said.new_alerts == 1
    assert said.roster.riders[55].role == "sprinter"
    assert said.roster.riders[SPRINTER].role is None
    assert said.groups == before.groups  # not a frame: nothing moved
    after = play(race, events, 59.0)
    assert 55 in watched(after)
    assert SPRINTER not in watched(after)
    # Nothing learned is reset: the groups and the time limit go on exactly as without it.
    reference = dict(stage_run("flat").situations)
    assert after.t is not None
    same = reference[after.t]
    assert [(g.id, g.riders, g.gap_s) for g in after.groups] == [
        (g.id, g.riders, g.gap_s) for g in same.groups
    ]
    assert after.time_limit.cut_s == same.time_limit.cut_s
    assert [g.margin_s for g in after.time_limit.groups] == [
        g.margin_s for g in same.time_limit.groups
    ]
    trains = [train_of(s, TEAM) for s in finale(race, events)]
    assert all(t is None or t[0] == 55 for t in trains)
    assert any(t is not None for t in trains)


def test_the_roles_file_names_the_trains_and_says_what_it_cannot_use() -> None:
    roles = RolesFile.model_validate(
        {
            "teams": {TEAM: {"sprinter": "R. Thornley", "leadout": [57, "Holloway"]}},
            "riders": {"Thornley": "leader"},
        }
    )
    race = Race(engine_settings(roles=DeclaredRoles(source="roles.toml", roles=roles)))
    events = iter(stage_events("flat"))
    start = race.apply(next(events))
    assert start.roster.riders[55].role == "sprinter"
    assert start.roster.riders[SPRINTER].role is None
    assert start.roster.riders[53].role is None  # the feed's lead-out man, not in the file's
    warnings = [a for a in start.alerts if a.kind == "roles"]
    assert [(a.level, a.text) for a in warnings] == [
        (
            "warning",
            "roles.toml: riders.Thornley: 'Thornley' names several riders in the start list: "
            "11 F. Thornley (HLG), 55 R. Thornley (KST)",
        )
    ]
    assert 55 in watched(play(race, events, 60.0))
    trains = [t for s in finale(race, events) if (t := train_of(s, TEAM)) is not None]
    assert trains
    assert {t[0] for t in trains} == {55}
    assert {t[2] for t in trains} == {"roster"}
    assert all(set(t[1]) <= {57, 52, 55} for t in trains)


def test_my_teams_configured_train_is_the_roster_and_the_watch_list() -> None:
    settings = engine_settings(team=TeamSettings(code=TEAM, sprinter=53, leadout=(57,)))
    race = Race(settings)
    events = iter(stage_events("flat"))
    start = race.apply(next(events))
    roles = {b: r.role for b, r in start.roster.riders.items() if r.team == TEAM}
    assert roles[53] == "sprinter"
    assert roles[57] == "leadout"
    assert roles[SPRINTER] is None
    assert roles[52] is None
    mid = play(race, events, 60.0)
    assert 53 in watched(mid)
    assert SPRINTER not in watched(mid)
    # A choice during the race goes over the configuration.
    race.set_sprinter(SPRINTER)
    assert 53 not in watched(play(race, events, 59.0))


def test_a_new_stage_forgets_the_choices_made_during_the_last() -> None:
    race = Race(EngineSettings())
    events = stage_events("flat")
    race.apply(events[0])
    race.set_sprinter(55)
    start = events[0]
    assert start.kind == "start_list"
    other = start.model_copy(update={"stage": start.stage.model_copy(update={"number": 99})})
    again = race.apply(other)
    assert again.roster.riders[SPRINTER].role == "sprinter"
    assert again.roster.riders[55].role == "leadout"
