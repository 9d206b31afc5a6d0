"""Riders' roles: the roles file found against a start list, and the one order of precedence
(a choice during the race > a configured train > the roles file > the feed's roles)."""

from __future__ import annotations

import pytest

from race.leadout.settings import TrainSettings
from race.models import Rider, RiderRole
from race.rolebook import RoleBook, assign_roles, team_plan
from race.roles import DeclaredRoles, Resolved, RolesFile, TeamPlan, name_key, resolve
from race.settings import EngineSettings, TeamSettings

START = (
    Rider(bib=131, first_name="Jasper", last_name="Philipsen", team="ALP", role="sprinter"),
    Rider(bib=132, first_name="Kaden", last_name="Groves", team="ALP"),
    Rider(bib=133, first_name="Silvan", last_name="Dillier", team="ALP", role="leadout"),
    Rider(bib=134, first_name="Jonas", last_name="Rickaert", team="ALP", role="leadout"),
    Rider(bib=135, first_name="Søren", last_name="Kragh Andersen", team="ALP"),
    Rider(bib=11, first_name="Tadej", last_name="Pogačar", team="UAD"),
    Rider(bib=12, first_name="Tim", last_name="Wellens", team="UAD"),
    Rider(bib=21, first_name="Tim", last_name="Merlier", team="SOQ", role="sprinter"),
    Rider(bib=22, first_name="Bert", last_name="Van Lerberghe", team="SOQ", role="leadout"),
    Rider(bib=31, first_name="Mads", last_name="Pedersen", team="LTK"),
    Rider(bib=41, first_name="Rasmus", last_name="Pedersen", team="DSM"),
)
RIDERS = {rider.bib: rider for rider in START}


def declared(text: dict[str, object]) -> DeclaredRoles:
    return DeclaredRoles(source="roles.toml", roles=RolesFile.model_validate(text))


def file_roles(text: dict[str, object]) -> Resolved:
    return resolve(declared(text), (), RIDERS)[1]


def roles_of(riders: dict[int, Rider]) -> dict[int, RiderRole | None]:
    return {bib: rider.role for bib, rider in riders.items() if rider.role is not None}


def test_names_are_compared_without_case_accents_or_dots() -> None:
    assert name_key("Tadej POGAČAR") == "tadej pogacar"
    assert name_key("S. Kragh-Andersen") == name_key("s kragh andersen")


def test_a_team_found_by_bibs_and_names_in_every_usual_form() -> None:
    found = file_roles(
        {
            "teams": {
                "ALP": {"sprinter": "Kaden Groves", "leadout": ["Rickaert", 133, "J. Philipsen"]}
            },
            "riders": {"tadej pogacar": "leader", "12": "domestique"},
        }
    )
    assert found.warnings == ()
    assert found.teams == {"ALP": TeamPlan(132, (134, 133, 131))}
    assert found.riders == {11: "leader", 12: "domestique"}


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            {"riders": {"Pedersen": "climber"}},
            "roles.toml: riders.Pedersen: 'Pedersen' names several riders in the start list: "
            "31 M. Pedersen (LTK), 41 R. Pedersen (DSM)",
        ),
        (
            {"riders": {"Van Aert": "leader"}},
            "roles.toml: riders.Van Aert: no rider named 'Van Aert' in the start list",
        ),
        (
            {"teams": {"ALP": {"sprinter": 131, "leadout": ["Merlier"]}}},
            "roles.toml: teams.ALP.leadout[0]: no rider named 'Merlier' in ALP",
        ),
        (
            {"teams": {"ALP": {"sprinter": 21}}},
            "roles.toml: teams.ALP.sprinter: 21 T. Merlier rides for SOQ, not ALP",
        ),
        (
            {"teams": {"ALP": {"sprinter": 999}}},
            "roles.toml: teams.ALP.sprinter: no rider 999 in the start list",
        ),
        ({"teams": {"QQQ": {"sprinter": 1}}}, "roles.toml: teams.QQQ: no team 'QQQ' in the start"),
        (
            {"teams": {"ALP": {"sprinter": "Groves"}}, "riders": {"K. Groves": "leader"}},
            "roles.toml: riders.K. Groves: 132 K. Groves is already named at teams.ALP.sprinter",
        ),
        (
            {"riders": {"Wellens": "leadout"}},
            "roles.toml: riders.Wellens: a lead-out man, but UAD has no sprinter in this file",
        ),
    ],
)
def test_what_cannot_be_used_is_said_with_the_file_and_the_key(
    text: dict[str, object], warning: str
) -> None:
    found = file_roles(text)
    assert len(found.warnings) == 1
    assert found.warnings[0].startswith(warning)


def test_a_team_whose_sprinter_cannot_be_found_is_left_to_the_lower_sources() -> None:
    found = file_roles({"teams": {"ALP": {"sprinter": "Nobody", "leadout": [132]}}})
    assert found.teams == {}
    assert found.warnings == (
        "roles.toml: teams.ALP.sprinter: no rider named 'Nobody' in ALP; ALP's train left out",
    )
    assert roles_of(assign_roles(START, from_file=found))[131] == "sprinter"  # the feed's


def test_train_roles_given_rider_by_rider_make_the_teams_train() -> None:
    found = file_roles({"riders": {"11": "leadout", "Wellens": "sprinter"}})
    assert found.warnings == ()
    assert found.teams == {"UAD": TeamPlan(12, (11,))}
    assert found.riders == {}


def test_the_roles_file_replaces_the_feeds_train_for_the_whole_team() -> None:
    found = file_roles({"teams": {"ALP": {"sprinter": 132, "leadout": [134]}}})
    riders = assign_roles(START, from_file=found)
    roles = roles_of(riders)
    assert roles[132] == "sprinter"
    assert roles[134] == "leadout"
    assert 131 not in roles
    assert 133 not in roles
    assert roles[21] == "sprinter"
    assert roles[22] == "leadout"


def test_a_configured_train_wins_over_the_roles_file_and_a_choice_over_both() -> None:
    configured, found = resolve(
        declared({"teams": {"ALP": {"sprinter": 132}}}),
        [("leadout.trains[0]", TrainSettings(team="ALP", sprinter=135, leadout=(133,)))],
        RIDERS,
    )
    riders = assign_roles(START, configured=configured, from_file=found)
    assert team_plan(riders, "ALP") == TeamPlan(135, (133,))
    chosen = {"ALP": TeamPlan(131, (134, 133))}
    riders = assign_roles(START, chosen=chosen, configured=configured, from_file=found)
    assert team_plan(riders, "ALP") == TeamPlan(131, (134, 133))
    assert roles_of(riders).get(132) is None
    assert roles_of(riders).get(135) is None


def test_other_roles_come_from_the_file_over_the_feed() -> None:
    start = (*START[:-1], START[-1].model_copy(update={"role": "climber"}))
    found = file_roles({"riders": {"41": "leader"}})
    assert roles_of(assign_roles(start, from_file=found))[41] == "leader"
    assert roles_of(assign_roles(start))[41] == "climber"


def test_the_roster_lists_lead_out_men_in_their_planned_order() -> None:
    found = file_roles({"teams": {"ALP": {"sprinter": 131, "leadout": [135, 132, 134]}}})
    riders = assign_roles(START, from_file=found)
    assert [b for b, r in riders.items() if r.role == "leadout" and r.team == "ALP"] == [
        135,
        132,
        134,
    ]
    assert set(riders) == set(RIDERS)
    assert list(riders)[5:] == [b for b in RIDERS][5:]  # the other teams in start-list order


def test_the_file_names_a_rider_written_twice() -> None:
    roles = RolesFile.model_validate(
        {"teams": {"ALP": {"sprinter": 131}}, "riders": {"131": "leader"}}
    )
    assert roles.duplicate() == ("riders.131", "bib 131 is already at teams.ALP.sprinter")
    by_name = RolesFile.model_validate(
        {"teams": {"ALP": {"sprinter": "Groves", "leadout": ["GROVES"]}}}
    )
    assert by_name.duplicate() == (
        "teams.ALP.leadout[0]",
        "'GROVES' is already at teams.ALP.sprinter",
    )


def test_run_time_choices_keep_the_lead_out_men_and_say_it() -> None:
    book = RoleBook(EngineSettings())
    book.set_start_list(START)
    assert book.set_sprinter(134) == "ALP's sprinter set to J. Rickaert"
    assert team_plan(book.riders, "ALP") == TeamPlan(134, (133,))
    assert book.set_role(131, "leadout") == "J. Philipsen (ALP) set as lead-out man"
    assert team_plan(book.riders, "ALP") == TeamPlan(134, (133, 131))
    assert book.set_role(134, "leader") == "J. Rickaert (ALP) set as leader"
    assert team_plan(book.riders, "ALP") == TeamPlan(None)  # nobody to ride for: detected
    assert book.riders[134].role == "leader"
    with pytest.raises(ValueError, match="ALP has no other sprinter"):
        book.set_role(133, "leadout")
    with pytest.raises(KeyError):
        book.set_sprinter(999)


def test_my_teams_configured_train_is_found_and_checked() -> None:
    settings = EngineSettings(team=TeamSettings(code="ALP", sprinter=132, leadout=(135, 999)))
    book = RoleBook(settings)
    book.set_start_list(START)
    assert team_plan(book.riders, "ALP") == TeamPlan(132, (135,))
    assert book.warnings == ("configuration: team.leadout[1]: no rider 999 in the start list",)
    with pytest.raises(ValueError, match="keep one"):
        EngineSettings(
            team=TeamSettings(code="ALP", sprinter=132),
            leadout={"trains": [TrainSettings(team="ALP", sprinter=131)]},
        )
