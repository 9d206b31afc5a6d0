"""The `[leadout]` configuration: its keys reach the engine, and bad values name their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.assembly import engine_settings
from tui.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_leadout_keys_reach_the_engine(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[leadout]\nfinale_km = 8\ndetect_km = 12\nwheel_m = 4\nlost_wheel_m = 20\n"
        "out_of_position_rank = 25\n"
        '[[leadout.trains]]\nteam = "XAT"\nsprinter = 64\nleadout = [62, 63, 66]\n',
    )
    settings = engine_settings(load_config(path)).leadout
    assert (settings.finale_km, settings.detect_km) == (8, 12)
    assert (settings.wheel_m, settings.lost_wheel_m) == (4, 20)
    assert settings.out_of_position_rank == 25
    assert settings.trains[0].team == "XAT"
    assert settings.trains[0].leadout == (62, 63, 66)


def test_the_defaults_are_documented_values() -> None:
    settings = engine_settings(load_config(None)).leadout
    assert settings.finale_km == 10
    assert settings.detect_km == 15
    assert (settings.wheel_m, settings.lost_wheel_m) == (5, 15)
    assert settings.out_of_position_rank == 30


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[leadout]\nlost_wheel_m = 4\n", "leadout.lost_wheel_m"),
        ("[leadout]\nwheel_m = 0\n", "leadout.wheel_m"),
        ("[leadout]\ndetect_km = -1\n", "leadout.detect_km"),
        ("[leadout]\nout_of_position_rank = 1\n", "leadout.out_of_position_rank"),
        ('[[leadout.trains]]\nteam = "XAT"\nsprinter = 64\nleadout = [62, 64]\n', "leadout.trains"),
        ('[[leadout.trains]]\nteam = ""\nsprinter = 64\n', "leadout.trains.team"),
    ],
)
def test_a_bad_leadout_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert caught.value.source == str(path)
