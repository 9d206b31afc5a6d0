"""Configuration: layering, environment overrides, and bad configurations stopping with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import assert_config_error, run_ardoise, write
from tests.support.stages import ROOT
from tui.assembly import build_feed, engine_settings
from tui.config import ConfigError, load_config

BAD_CONFIGS = {
    "unknown key": ('[feed]\nadaptr = "simulated"\n', ["feed.adaptr", "unknown key", "adapter"]),
    "unknown section": ("[feeds]\nadapter = 'simulated'\n", ["feeds", "unknown key"]),
    "wrong type": ('[feed]\nspeed = "fast"\n', ["feed.speed", "'fast'"]),
    "out of range": ("[stage]\ncoefficient = 9\n", ["stage.coefficient", "9"]),
    "unknown adapter": (
        '[feed]\nadapter = "carrier-pigeon"\n',
        ["feed.adapter", "carrier-pigeon", "simulated"],
    ),
    "unknown adapter option": ("[feed.simulated]\nsede = 3\n", ["feed.simulated.sede", "seed"]),
    "bad adapter option": ('[feed.simulated]\nscenario = "cobbles"\n', ["feed.simulated.scenario"]),
    "missing rules file": (
        '[stage]\nrules = "no-such-rules.toml"\n',
        ["stage.rules", "no-such-rules.toml"],
    ),
    "invalid TOML": ("[feed\nadapter = 1\n", ["invalid TOML", "line 1"]),
    "bad margins": ("[time_limit]\ntight_margin_s = 60\ndanger_margin_s = 120\n", ["time_limit"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_stops_with_file_and_key(tmp_path: Path, case: str) -> None:
    text, expected = BAD_CONFIGS[case]
    path = write(tmp_path, text)
    result = run_ardoise("--config", str(path))
    assert_config_error(result, str(path), *expected)


def test_bad_config_stops_the_situation_command_too(tmp_path: Path) -> None:
    path = write(tmp_path, "[feed]\nspeed = -1\n")
    result = run_ardoise("situation", "--config", str(path), "--json")
    assert_config_error(result, str(path), "feed.speed")
    assert result.stdout == ""


def test_config_before_the_command_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "[feed]\nspeed = -1\n")
    result = run_ardoise("--config", str(path), "situation", "--json")
    assert_config_error(result, str(path), "feed.speed")


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    result = run_ardoise("--config", str(path))
    assert_config_error(result, str(path), "file not found")


def test_bad_environment_variable_is_named() -> None:
    result = run_ardoise("situation", "--json", env={"ARDOISE_FEED__SPEED": "-3"})
    assert_config_error(result, "ARDOISE_FEED__SPEED", "feed.speed")


def test_unknown_environment_key_is_named() -> None:
    result = run_ardoise("situation", "--json", env={"ARDOISE_TEAM__COLOUR": "red"})
    assert_config_error(result, "ARDOISE_TEAM__COLOUR", "team.colour")


def test_user_file_overrides_default_key_by_key(tmp_path: Path) -> None:
    path = write(tmp_path, "[feed.simulated]\nseed = 7\n[team]\ncode = 'ABC'\n")
    loaded = load_config(path)
    assert loaded.config.feed.adapter == "simulated"  # from the default
    assert loaded.config.feed.options["simulated"]["seed"] == 7
    assert loaded.config.feed.options["simulated"]["scenario"] == "flat"  # default kept
    assert loaded.config.team.code == "ABC"
    assert loaded.origin("team.code") == str(path)


def test_environment_overrides_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[feed]\nspeed = 5\n")
    monkeypatch.setenv("ARDOISE_FEED__SPEED", "0")
    monkeypatch.setenv("ARDOISE_FEED__SIMULATED__SCENARIO", "mountain")
    loaded = load_config(path)
    assert loaded.config.feed.speed == 0
    adapter = build_feed(loaded)
    assert adapter.options.model_dump()["scenario"] == "mountain"
    assert "ARDOISE_FEED__SPEED" in loaded.origin("feed.speed")


def test_user_config_folder_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ardoise"
    folder.mkdir()
    (folder / "config.toml").write_text("[team]\ncode = 'XYZ'\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config().config.team.code == "XYZ"


def test_embedded_default_builds_the_simulated_flat_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    loaded = load_config()
    adapter = build_feed(loaded)
    assert adapter.name == "simulated"
    options = adapter.options.model_dump()
    assert options["scenario"] == "flat"
    assert 1 <= options["speed"] <= 100
    settings = engine_settings(loaded)
    assert settings.rules is not None
    assert settings.rules.name == "Tour de France"


def test_config_error_message_names_file_and_key() -> None:
    error = ConfigError("/x/config.toml", "feed.speed", "must be >= 0")
    assert str(error) == "/x/config.toml: feed.speed: must be >= 0"


def test_every_key_of_the_default_config_is_documented() -> None:
    """Each key set (or shown commented out) in config.toml has a comment right above it."""
    lines = (ROOT / "config.toml").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if "=" not in stripped or (stripped.startswith("# ") and "=" not in stripped.split()[1:2]):
            continue
        is_key = not stripped.startswith("#") or (
            stripped.startswith("# ")
            and stripped[2:].split(" ")[0].isidentifier()
            and " = " in stripped
        )
        if not is_key or stripped.startswith("[["):
            continue
        above = lines[index - 1].strip() if index else ""
        assert above.startswith("#") or "=" in above, (
            f"undocumented key at line {index + 1}: {line}"
        )
