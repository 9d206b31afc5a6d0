"""Hostile or mistaken configurations: each stops with exit 2 and one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import assert_config_error, run_ardoise, write
from tui.config import ConfigError, load_config

COMMANDS = {"screen": (), "situation": ("situation", "--json")}
"""The full-screen app (it stops before opening) and `situation`: the same checks for both."""

NOT_JSON = {
    "ARDOISE_TEAM__MARKED": ("abc", "team.marked", "a list is written in JSON"),
    "ARDOISE_FEED": ("x", "feed", "a table is written in JSON"),
    "ARDOISE_LEADOUT__TRAINS": ("x", "leadout.trains", "a list is written in JSON"),
    "ARDOISE_KEYMAP": ("{", "keymap", "a table is written in JSON"),
}


@pytest.mark.parametrize("variable", sorted(NOT_JSON))
def test_a_list_or_table_variable_that_is_not_json_names_the_variable(variable: str) -> None:
    value, key, hint = NOT_JSON[variable]
    result = run_ardoise("situation", "--json", env={variable: value})
    assert_config_error(result, f"environment variable {variable}: {key}: not JSON", hint)
    assert result.stdout == ""


def test_json_variables_set_lists_and_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    monkeypatch.setenv("ARDOISE_TEAM__MARKED", "[11, 14]")
    monkeypatch.setenv("ARDOISE_FEED", '{"speed": 3}')
    monkeypatch.setenv("ARDOISE_KEYMAP", '{"pause": "space"}')
    monkeypatch.setenv("ARDOISE_LEADOUT__TRAINS", '[{"team": "XRG", "sprinter": 11}]')
    config = load_config().config
    assert list(config.team.marked) == [11, 14]
    assert config.feed.speed == 3
    assert config.feed.adapter == "simulated"  # the rest of [feed] kept from the file
    assert config.keymap == {"pause": "space"}
    assert [train.sprinter for train in config.leadout.trains] == [11]


def test_a_variable_nested_too_deep_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    monkeypatch.setenv("ARDOISE_KEYMAP", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert raised.value.source == "environment variable ARDOISE_KEYMAP"
    assert raised.value.reason == "nested deeper than 20 levels"


NESTED = {
    "arrays": ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "invalid TOML: nested too deep"),
    "dotted table": ("[" + ".".join(["a"] * 100_000) + "]\n", "a.a.a...: nested deeper than 20"),
    "dotted key": (".".join(["b"] * 50) + " = 1\n", "b.b.b...: nested deeper than 20"),
    "inline tables": ("c = " + "{d = " * 30 + "1" + "}" * 30 + "\n", "c.d.d...: nested deeper"),
}


@pytest.mark.parametrize("case", sorted(NESTED))
def test_a_file_nested_too_deep_names_the_file(tmp_path: Path, case: str) -> None:
    text, expected = NESTED[case]
    path = write(tmp_path, text)
    result = run_ardoise("situation", "--config", str(path), "--json")
    assert_config_error(result, f"{path}: {expected}")


BAD_KEYMAPS = {
    "unknown binding": (
        'nonexistent = "x"',
        "keymap.nonexistent: no binding 'nonexistent' (bindings: quit, pause,",
    ),
    "not a key": ('quit = "not a key!!"', "keymap.quit: 'not a key!!' is not a key name"),
    "unknown modifier": ('pause = "cmd+p"', "keymap.pause: 'cmd' in 'cmd+p' is not a modifier"),
    "empty key": ('help = "f1,"', "keymap.help: an empty key"),
    "a key taken": ('pause = "q"', "keymap.pause: 'q' is already the key of 'quit'"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(BAD_KEYMAPS))
def test_a_bad_keymap_names_the_file_and_binding(tmp_path: Path, case: str, command: str) -> None:
    line, expected = BAD_KEYMAPS[case]
    path = write(tmp_path, f"[keymap]\n{line}\n")
    result = run_ardoise("--config", str(path), *COMMANDS[command])
    assert_config_error(result, f"{path}: {expected}")


def test_keymap_keys_are_given_to_the_app_as_textual_names(tmp_path: Path) -> None:
    path = write(tmp_path, '[keymap]\nquit = "ctrl+q, ?"\nhelp = "f1"\npause = "q"\n')
    loaded = load_config(path)
    # `pause = "q"` is no clash: `quit` is rebound away from "q" in the same file.
    assert loaded.config.keymap == {"quit": "ctrl+q,question_mark", "help": "f1", "pause": "q"}


def test_a_bad_keymap_variable_names_the_variable() -> None:
    result = run_ardoise("situation", "--json", env={"ARDOISE_KEYMAP__QUIT": "not a key!!"})
    assert_config_error(result, "environment variable ARDOISE_KEYMAP__QUIT: keymap.quit")


def test_an_unknown_variable_is_a_one_line_warning() -> None:
    result = run_ardoise("situation", "--json", "--until", "1", env={"ARDOISE_FOO": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "ardoise: ignoring unknown environment variable ARDOISE_FOO"
    ]
    assert json.loads(result.stdout)["stage"]["race"]  # the command still ran


def test_token_variables_are_not_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token's variable may well carry the prefix: `token_env` and `--token-env` name it."""
    path = write(tmp_path, '[feed.sse]\ntoken_env = "ARDOISE_TOKEN"\n')
    monkeypatch.setenv("ARDOISE_TOKEN", "secret")
    monkeypatch.setenv("ARDOISE_RELAY_TOKEN", "secret")
    monkeypatch.setenv("ARDOISE_FOO", "1")
    loaded = load_config(path, expected_variables=["ARDOISE_RELAY_TOKEN"])
    assert loaded.warnings == ("ignoring unknown environment variable ARDOISE_FOO",)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_speed_the_adapter_refuses_stops_every_command(tmp_path: Path, command: str) -> None:
    """`situation` reads at full speed, but the configured speed is checked all the same."""
    path = write(tmp_path, "[feed]\nspeed = 200\n")
    result = run_ardoise("--config", str(path), *COMMANDS[command])
    assert_config_error(result, f"{path}: feed.speed", "less than or equal to 100", "200")
