"""`ardoise situation`: the public JSON contract on the simulated stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from feeds.simulation import scenario_facts
from race.models import Telemetry
from tests.support.cli import run_ardoise, situation_json
from tests.support.stages import SEED, engine_settings, stage_events, stage_run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = {
    "t",
    "stage",
    "groups",
    "time_limit",
    "leadout",
    "alerts",
}
STAGE_KEYS = {"name", "distance_km", "coefficient"}
GROUP_KEYS = {"id", "name", "riders", "gap_s", "km_to_finish", "speed_kmh", "trend_s_per_10km"}
LIMIT_KEYS = {"percent", "winner_time_s", "final", "cut_s", "groups"}
LIMIT_GROUP_KEYS = {"id", "projected_gap_s", "margin_s", "status"}
TRAIN_KEYS = {"team", "sprinter", "riders", "status"}
TRAIN_RIDER_KEYS = {"bib", "rank", "gap_m"}
ALERT_KEYS = {"t", "kind", "text"}


@pytest.fixture(scope="module")
def whole_stage() -> dict[str, Any]:
    return situation_json()


def test_every_contract_key_is_present(whole_stage: dict[str, Any]) -> None:
    data = whole_stage
    assert data.keys() >= CONTRACT
    assert data["stage"].keys() >= STAGE_KEYS
    assert data["stage"]["coefficient"] == 1
    assert data["groups"]
    for group in data["groups"]:
        assert group.keys() >= GROUP_KEYS
    assert data["time_limit"].keys() >= LIMIT_KEYS
    for group in data["time_limit"]["groups"]:
        assert group.keys() >= LIMIT_GROUP_KEYS
    assert data["leadout"]
    for train in data["leadout"]:
        assert train.keys() >= TRAIN_KEYS
        assert isinstance(train["team"], str)
        assert len(train["team"]) == 3
        for rider in train["riders"]:
            assert rider.keys() >= TRAIN_RIDER_KEYS
    assert data["alerts"]
    for alert in data["alerts"]:
        assert alert.keys() >= ALERT_KEYS


def test_whole_stage_runs_to_the_finish(whole_stage: dict[str, Any]) -> None:
    assert whole_stage["winner_finished"] is True
    assert whole_stage["time_limit"]["final"] is True
    kinds = {a["kind"] for a in whole_stage["alerts"]}
    assert {"break_formed", "break_caught", "finish"} <= kinds


def test_groups_partition_the_tracked_riders(whole_stage: dict[str, Any]) -> None:
    riders = [bib for group in whole_stage["groups"] for bib in group["riders"]]
    assert len(riders) == len(set(riders)) == whole_stage["riders_tracked"]


def test_groups_partition_at_every_frame() -> None:
    """In-process, frame by frame: the groups cover exactly the riders the engine tracks."""
    hold_missing_s = engine_settings().gaps.hold_missing_s
    seen: dict[int, float] = {}
    for event, situation in zip(stage_events("flat"), stage_run("flat").after_each, strict=True):
        if not isinstance(event, Telemetry):
            continue
        if situation.race_state in ("pre-start", "neutralised"):
            # Riders rolling through the neutralised start are not yet in the race.
            assert situation.groups == ()
            assert situation.riders_tracked == 0
            continue
        for fix in event.riders:
            if fix.km_to_finish is not None:
                seen[fix.bib] = event.t
        riders = [bib for group in situation.groups for bib in group.riders]
        assert len(riders) == len(set(riders)) == situation.riders_tracked
        expected = {b for b, t in seen.items() if event.t - t <= hold_missing_s}
        assert expected <= set(riders)
        gaps = [g.gap_s for g in situation.groups]
        assert gaps == sorted(gaps)
        assert all(gap >= 0 for gap in gaps)


def test_same_seed_same_json(whole_stage: dict[str, Any]) -> None:
    """The command's JSON is the engine's situation for the same stage, computed apart (here,
    in this process): same seed, same race. Only the feed's own status and count of events,
    which the command's adapter adds, differ."""
    last = stage_run("flat").last
    assert last is not None
    in_process = last.to_json_dict()
    adapter_only = {"feed", "events_applied"}
    assert {k: v for k, v in whole_stage.items() if k not in adapter_only} == {
        k: v for k, v in in_process.items() if k not in adapter_only
    }


def test_other_seed_other_race(tmp_path: Path) -> None:
    # An hour into the race the two days already differ (the break, its lead).
    until = scenario_facts("flat", SEED).start_t + 3600
    config = tmp_path / "seed.toml"
    config.write_text(f"[feed.simulated]\nseed = {SEED + 1}\n", encoding="utf-8")
    other = situation_json("--until", str(until), config=config)
    _, same = next((t, s) for t, s in reversed(stage_run("flat").situations) if t <= until)
    ours = same.to_json_dict()
    assert other["t"] == ours["t"]
    assert other["groups"] != ours["groups"] or other["alerts"] != ours["alerts"]


def test_until_stops_at_that_feed_time(whole_stage: dict[str, Any]) -> None:
    finish = whole_stage["t"]
    until = finish - 3600
    earlier = situation_json("--until", str(until))
    assert earlier["t"] <= until
    assert earlier["t"] > until - 60
    assert earlier["winner_finished"] is False
    assert earlier["time_limit"]["final"] is False


def test_text_output(tmp_path: Path) -> None:
    # Every panel has its block at any time of the stage: half an hour of racing is enough.
    until = scenario_facts("flat", SEED).start_t + 1800
    result = run_ardoise("situation", "--until", str(until), env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for title in ("TIME GAPS", "TIME LIMIT", "LEAD-OUT", "RACE RADIO"):
        assert title in out
