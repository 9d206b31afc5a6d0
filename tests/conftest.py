"""Shared test helpers: the simulated stages run through the engine, situations at km marks."""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path

import pytest

from feeds.simulation import simulate
from race.engine import Race
from race.limits import RuleSet, parse_rule_set
from race.models import Telemetry
from race.settings import EngineSettings
from race.situation import Situation

ROOT = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    """The real recordings: `../shared/data/racecenter` next to the project, or next to any
    folder above it (a git worktree sits a level deeper than the main checkout)."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data" / "racecenter"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data" / "racecenter"


SHARED_DATA = _shared_data()
SEED = 2026
NOISE_M = 1.5


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own config folder or ARDOISE_ variables."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in list(os.environ):
        if name.startswith("ARDOISE_"):
            monkeypatch.delenv(name)


@cache
def tdf_rules() -> RuleSet:
    return parse_rule_set((files("race") / "rulesets" / "tdf.toml").read_text(encoding="utf-8"))


def engine_settings(**changes: object) -> EngineSettings:
    return EngineSettings(rules=tdf_rules()).model_copy(update=changes)


@cache
def stage_marks(scenario: str, marks: tuple[float, ...]) -> dict[float, tuple[float, Situation]]:
    """(feed time, situation) at the first frame where the head is at or below each km mark.

    A mark of 0 means the end of the feed.
    """
    race = Race(engine_settings())
    pending = sorted(marks, reverse=True)
    out: dict[float, tuple[float, Situation]] = {}
    situation = race.situation
    for event in simulate(scenario, SEED, noise_m=NOISE_M):
        situation = race.apply(event)
        head = situation.head_km_to_finish
        while (
            pending
            and pending[0] > 0
            and isinstance(event, Telemetry)
            and head is not None
            and head <= pending[0]
            and situation.race_time_s is not None
        ):
            out[pending.pop(0)] = (event.t, situation)
    if pending and pending[0] == 0 and situation.t is not None:
        out[0.0] = (situation.t, situation)
    return out


FLAT_MARKS = (120.0, 60.0, 14.0, 5.0, 1.0, 0.0)
MOUNTAIN_MARKS = (100.0, 50.0, 30.0, 20.0, 5.0, 0.0)


def flat_at(km: float) -> tuple[float, Situation]:
    return stage_marks("flat", FLAT_MARKS)[km]


def mountain_at(km: float) -> tuple[float, Situation]:
    return stage_marks("mountain", MOUNTAIN_MARKS)[km]
