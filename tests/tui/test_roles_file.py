"""The roles file (`[riders] roles`) and `[team]`'s train: read like the configuration, a bad
one stops with one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from race.models import StartList
from race.rolebook import RoleBook, team_plan
from race.roles import TeamPlan, TeamRoles
from tests.support.cli import assert_config_error, run_ardoise, write
from tests.support.stages import STAGE_5, needs_stage_5
from tui.assembly import engine_settings
from tui.config import ConfigError, load_config

GOOD = """\
# ALP's train, by bib or by name
[teams.ALP]
sprinter = "Jasper Philipsen"
leadout = [133, "Rickaert"]

[teams.SOQ]
sprinter = 21

[riders]
11 = "leader"
"Tadej Pogačar" = "leader"
"""


def config_with_roles(tmp_path: Path, roles: str | None, name: str = "roles.toml") -> Path:
    if roles is not None:
        (tmp_path / name).write_text(roles, encoding="utf-8")
    return write(tmp_path, f'[riders]\nroles = "{name}"\n')


def test_a_good_roles_file_reaches_the_engine(tmp_path: Path) -> None:
    settings = engine_settings(load_config(config_with_roles(tmp_path, GOOD)))
    declared = settings.roles
    assert declared is not None
    assert declared.source == str(tmp_path / "roles.toml")  # relative to the config file
    assert declared.roles.teams["ALP"] == TeamRoles(
        sprinter="Jasper Philipsen", leadout=(133, "Rickaert")
    )
    assert declared.roles.teams["SOQ"].sprinter == 21
    assert declared.roles.riders == {"11": "leader", "Tadej Pogačar": "leader"}


def test_no_roles_file_by_default() -> None:
    assert engine_settings(load_config(None)).roles is None


BAD = {
    "not TOML": ("[teams.ALP\n", None, "invalid TOML"),
    "unknown key": ("[teams.ALP]\nsprinter = 1\nsprnter = 3\n", "teams.ALP.sprnter", "unknown"),
    "unknown section": ("[rider]\n11 = 'leader'\n", "rider", "unknown key"),
    "bad role": ('[riders]\n11 = "boss"\n', "riders.11", "'sprinter', 'leadout', 'leader'"),
    "no sprinter": ("[teams.ALP]\nleadout = [1]\n", "teams.ALP.sprinter", "Field required"),
    "bib zero": ("[teams.ALP]\nsprinter = 0\n", "teams.ALP.sprinter", "a bib (a number above"),
    "not a rider": ("[teams.ALP]\nsprinter = true\n", "teams.ALP.sprinter", "a bib"),
    "a bib twice": (
        "[teams.ALP]\nsprinter = 131\nleadout = [132, 131]\n",
        "teams.ALP.leadout[1]",
        "bib 131 is already at teams.ALP.sprinter",
    ),
    "a bib in two places": (
        '[teams.ALP]\nsprinter = 131\n[riders]\n131 = "leader"\n',
        "riders.131",
        "bib 131 is already at teams.ALP.sprinter",
    ),
    "a name twice": (
        '[teams.ALP]\nsprinter = "Philipsen"\nleadout = ["philipsen"]\n',
        "teams.ALP.leadout[0]",
        "'philipsen' is already at teams.ALP.sprinter",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_roles_file_names_the_file_and_the_key(tmp_path: Path, case: str) -> None:
    text, key, reason = BAD[case]
    with pytest.raises(ConfigError) as raised:
        engine_settings(load_config(config_with_roles(tmp_path, text)))
    assert raised.value.source == str(tmp_path / "roles.toml")
    assert raised.value.key == key
    assert reason in raised.value.reason


def test_a_missing_roles_file_names_the_configuration_and_its_key(tmp_path: Path) -> None:
    config = config_with_roles(tmp_path, None, name="nowhere.toml")
    with pytest.raises(ConfigError) as raised:
        engine_settings(load_config(config))
    assert raised.value.source == str(config)
    assert raised.value.key == "riders.roles"
    assert raised.value.reason == f"no roles file {tmp_path / 'nowhere.toml'}"


@pytest.mark.slow
def test_the_command_stops_with_exit_2_and_one_line(tmp_path: Path) -> None:
    config = config_with_roles(tmp_path, '[riders]\n12 = "captain"\n')
    for args in (("situation", "--json"), ()):
        result = run_ardoise("--config", str(config), *args)
        assert_config_error(result, f"{tmp_path / 'roles.toml'}: riders.12: Input should be")
        assert result.stdout == ""


def test_my_teams_train_reaches_the_engine(tmp_path: Path) -> None:
    config = write(tmp_path, '[team]\ncode = "ALP"\nsprinter = 131\nleadout = [133, 134]\n')
    settings = engine_settings(load_config(config))
    assert [(t.team, t.sprinter, t.leadout) for t in settings.trains] == [("ALP", 131, (133, 134))]


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[team]\nsprinter = 131\n", "team", "sprinter needs code"),
        ('[team]\ncode = "ALP"\nleadout = [133]\n', "team", "leadout needs sprinter"),
        (
            '[team]\ncode = "ALP"\nsprinter = 131\n'
            '[[leadout.trains]]\nteam = "ALP"\nsprinter = 2\n',
            "team.sprinter",
            "my team's train is in [team] and in [leadout] trains: keep one",
        ),
    ],
)
def test_a_bad_train_of_my_team_names_its_key(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    config = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert raised.value.source == str(config)
    assert raised.value.key == key
    assert reason in raised.value.reason


def config_example() -> str:
    """The roles file commented in `config.toml` (and shown in the README), uncommented."""
    text = (Path(__file__).parents[2] / "config.toml").read_text(encoding="utf-8")
    start = text.index("# --- roles.toml ---")
    end = text.index("# --- end ---", start)
    return "\n".join(line.removeprefix("# ") for line in text[start:end].splitlines()[1:])


def test_the_embedded_configurations_roles_example_is_a_valid_roles_file(tmp_path: Path) -> None:
    settings = engine_settings(load_config(config_with_roles(tmp_path, config_example())))
    assert settings.roles is not None
    assert set(settings.roles.roles.teams) == {"SOQ", "LTK"}


async def start_list(path: Path) -> StartList:
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))
    try:
        async for event in feed.events():
            if isinstance(event, StartList):
                return event
    finally:
        await feed.aclose()
    raise AssertionError("no start list in the recording")


@needs_stage_5
async def test_the_example_names_real_riders_of_the_race_centers_start_list(
    tmp_path: Path,
) -> None:
    """Names as people write them find the Race Center's riders ("Jonas Vingegaard" is
    Jonas VINGEGAARD HANSEN there), with nothing left unused."""
    settings = engine_settings(load_config(config_with_roles(tmp_path, config_example())))
    book = RoleBook(settings)
    book.set_start_list((await start_list(STAGE_5)).riders)
    assert book.warnings == ()
    assert team_plan(book.riders, "SOQ") == TeamPlan(91, (96,))
    assert team_plan(book.riders, "LTK") == TeamPlan(33)
    assert book.riders[11].role == "leader"
