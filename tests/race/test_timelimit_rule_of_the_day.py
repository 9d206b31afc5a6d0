"""The time limit's rule of the day: the rules in force, the class from the config, the feed or
the stage type, the percentage held at a band edge, the basis that says it all, and the
configuration keys and rule files that set them.

Synthetic stages and groups: every number here can be worked out by hand.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import pytest

from race.settings import EngineSettings, StageSettings
from race.situation import TimeLimit
from race.timelimit.rules import RuleSet, cut_seconds, parse_rule_set
from tests.support.stages import tdf_rules
from tests.support.timelimit import MOUNTAIN, Race, stage
from tui.assembly import engine_settings
from tui.config import ConfigError, load_config


@cache
def giro_rules() -> RuleSet:
    return parse_rule_set(
        (files("race.timelimit") / "rulesets" / "giro.toml").read_text(encoding="utf-8")
    )


# --- The rule and its basis ----------------------------------------------------------------


def test_no_rules_no_time_limit() -> None:
    race = Race(EngineSettings())
    assert race.at(30, []) == TimeLimit()


def test_the_rule_and_its_basis() -> None:
    race = Race()
    limit = race.at(30, [])
    # At 36 km/h on a flat start the forecast is slower (the climb to come): 13 % band.
    assert limit.rules == "Tour de France"
    assert (limit.coefficient, limit.category, limit.assumed, limit.final) == (4, "4", False, False)
    assert limit.winner_time_s is not None
    assert limit.cut_s == cut_seconds(tdf_rules(), limit.winner_time_s, limit.percent or 0)
    speed = MOUNTAIN.distance_km / limit.winner_time_s * 3600
    assert limit.basis == f"coef 4 · winner ≈ {speed:.1f} km/h → {limit.percent:g} % → cut ≈ +" + (
        f"{int(limit.cut_s // 60)}:{int(limit.cut_s % 60):02d}"
    )


def test_coefficient_from_the_config_beats_the_feed() -> None:
    race = Race(EngineSettings(rules=tdf_rules(), stage=StageSettings(coefficient=1)))
    assert race.at(30, []).basis.startswith("coef 1 · winner ≈")


def test_coefficient_assumed_from_the_stage_type_says_so() -> None:
    race = Race(the_stage=stage((100, 0), coefficient=None, stage_type="hilly"))
    limit = race.at(30, [])
    assert (limit.coefficient, limit.assumed) == (3, True)
    assert limit.basis.startswith("coef 3 (assumed) · winner ≈")


def test_giro_category_assumed_from_the_stage_type() -> None:
    race = Race(EngineSettings(rules=giro_rules()), stage((100, 0), coefficient=None))
    limit = race.at(30, [])
    assert (limit.coefficient, limit.category, limit.assumed) == (None, "D", True)
    assert limit.basis.startswith("cat D (assumed) · winner ≈")


def test_giro_category_and_the_limit_rounded_up_to_the_minute() -> None:
    race = Race(EngineSettings(rules=giro_rules(), stage=StageSettings(category="C")))
    winner = 4 * 3600 + 10 * 60 + 30  # 100 km at 23.9 km/h: 11 %
    limit = race.at(100, [], winner_time_s=winner)
    assert (limit.category, limit.percent, limit.final) == ("C", 11, True)
    # 4:10:30 x 11 % = 27:33 -> limit 4:38:03, rounded up to 4:39:00: 28:30 behind.
    assert limit.cut_s == 28 * 60 + 30
    assert limit.basis == "cat C · winner = 24.0 km/h → 11 % → cut = +28:30"


def test_a_class_the_rules_do_not_know_is_named() -> None:
    race = Race(EngineSettings(rules=giro_rules()))  # the feed says coefficient 4
    limit = race.at(30, [])
    assert limit.cut_s is None
    assert limit.basis == "Giro d'Italia has no coef 4: set [stage] coefficient or category"


def test_no_class_at_all_is_named() -> None:
    bare = tdf_rules().model_copy(update={"assumed": {}})
    race = Race(EngineSettings(rules=bare), stage((100, 0), coefficient=None))
    assert race.at(30, []).basis == (
        "Tour de France: no class for a mountain stage; set [stage] coefficient or category"
    )


def test_extra_points_and_time_trials_in_the_basis() -> None:
    race = Race(EngineSettings(rules=tdf_rules(), stage=StageSettings(extra_points=2)))
    limit = race.at(100, [], winner_time_s=10_000)  # 36 km/h: 13 %, plus 2
    assert limit.percent == 15
    assert limit.cut_s == 1500
    assert limit.basis == "coef 4 · winner = 36.0 km/h → 13 + 2 % → cut = +25:00"
    itt = Race(
        EngineSettings(rules=tdf_rules(), stage=StageSettings(coefficient=6, itt_percent=25)),
        stage((40, 0), coefficient=6, stage_type="itt"),
    )
    limit = itt.at(40, [], winner_time_s=3000)
    assert limit.basis == "coef 6 · 25 % of the winner's = 50:00 → cut = +12:30"


def test_waiting_for_the_start() -> None:
    race = Race()
    assert race.at(0.2, []).basis == "coef 4 · waiting for the race to start"


def test_percentage_held_at_a_band_edge_while_forecast() -> None:
    race = Race(the_stage=stage((200, 0)))  # flat: the forecast speed is the head's speed
    race.speed_kmh = 35.98  # coefficient 4: 35-36 km/h gives 13 %
    assert race.at(100, []).percent == 13
    # Half the stage to go: the forecast must pass the edge by 0.1 + 0.8 x 0.5 = 0.5 km/h.
    race.speed_kmh = 36.45
    assert race.at(100, []).percent == 13
    race.speed_kmh = 36.55
    assert race.at(100, []).percent == 14
    race.speed_kmh = 35.55
    assert race.at(100, []).percent == 14
    race.speed_kmh = 35.45
    assert race.at(100, []).percent == 13
    # Near the end the hold shrinks to 0.1 km/h; the final percentage is exact.
    race.speed_kmh = 36.15
    assert race.at(199, []).percent == 14
    assert race.at(200, [], winner_time_s=200 / 35.99 * 3600).percent == 13


# --- Configuration -------------------------------------------------------------------------


def test_time_limit_keys_reach_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[stage]\nrules = "giro"\ncategory = "D-short"\nextra_points = 1.5\n'
        "[time_limit]\nstatus_band_s = 30\nreinstated = [12, 14]\nwatch = [11]\n"
        "tight_margin_s = 400\ndanger_margin_s = 100\n",
        encoding="utf-8",
    )
    settings = engine_settings(load_config(path))
    assert settings.rules is not None
    assert settings.rules.name == "Giro d'Italia"
    assert (settings.stage.class_in_force, settings.stage.extra_points) == ("D-short", 1.5)
    limits = settings.time_limit
    assert (limits.status_band_s, limits.reinstated, limits.watch) == (30, (12, 14), (11,))
    assert (limits.tight_margin_s, limits.danger_margin_s) == (400, 100)


def test_a_class_the_rules_lack_stops_at_start(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[stage]\nrules = "giro"\ncategory = "F"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stage\.category: .*unknown coefficient 'F'.*A, B"):
        engine_settings(load_config(path))


def test_a_rules_file_of_ones_own(tmp_path: Path) -> None:
    rules = tmp_path / "vuelta.toml"
    rules.write_text(
        'format = 1\nname = "Vuelta"\n[coefficients.1]\nbands = [{ up_to_kmh = 40, percent = 8 },'
        ' { percent = 10 }]\n[assumed]\nflat = "1"\n',
        encoding="utf-8",
    )
    path = tmp_path / "config.toml"
    path.write_text('[stage]\nrules = "vuelta.toml"\n', encoding="utf-8")
    settings = engine_settings(load_config(path))
    assert settings.rules is not None
    race = Race(settings, stage((100, 0), coefficient=None, stage_type="flat"))
    limit = race.at(100, [], winner_time_s=9000)  # 40 km/h
    assert limit.basis == "coef 1 (assumed) · winner = 40.0 km/h → 8 % → cut = +12:00"
