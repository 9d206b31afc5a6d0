"""`ardoise situation --until-km KM`: the situation when the head of the race first reaches KM
from the line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from feeds.adapters.simulated import SimulatedOptions
from tests.support.app import SharedSimulatedFeed
from tests.support.cli import run_ardoise, situation_json
from tests.support.stages import STAGE_5, engine_settings, flat_at, needs_stage_5
from tui.headless import read_situation

ADAPTER_ONLY = {"feed", "events_applied"}
"""What the adapter adds to the engine's situation (its status, its count of events)."""


def test_reading_stops_at_the_first_frame_inside_the_km() -> None:
    feed = SharedSimulatedFeed(SimulatedOptions(speed=0))
    situation = asyncio.run(read_situation(feed, engine_settings(), until_km=60.0))
    _, played = flat_at(60.0)  # The first frame at or inside 60 km, in the stage played once.
    read = situation.to_json_dict()
    assert {k: v for k, v in read.items() if k not in ADAPTER_ONLY} == {
        k: v for k, v in played.to_json_dict().items() if k not in ADAPTER_ONLY
    }


@needs_stage_5
@pytest.mark.slow
def test_until_km_on_the_pau_recording(tmp_path: Path) -> None:
    config = tmp_path / "pau.toml"
    config.write_text(
        f'[feed]\nadapter = "recording"\npath = "{STAGE_5}"\nspeed = 0\n', encoding="utf-8"
    )
    situation = situation_json("--until-km", "10", config=config)
    assert 9.9 <= situation["head_km_to_finish"] <= 10.1
    assert situation["winner_finished"] is False


@pytest.mark.slow
@pytest.mark.parametrize("value", ["-1", "ten", "inf", "nan"])
def test_a_distance_that_is_not_one_is_refused(value: str) -> None:
    result = run_ardoise("situation", "--until-km", value)
    assert result.returncode == 2
    assert f"not a number of km: {value!r}" in result.stderr
