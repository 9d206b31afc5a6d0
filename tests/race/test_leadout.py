"""The lead-out: trains, the sprinter's state and its alerts, on the simulated flat stage.

The stage is read through the engine at the embedded configuration's GPS noise, and checked
against what its script makes happen (`scenario_facts`): the trains' order, and the wheel one
sprinter loses at ~1.2 km to go.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from feeds.simulation import ScenarioFacts, scenario_facts
from race.engine import Race
from race.models import StartList, Telemetry
from race.situation import Situation
from tests.support.leadout_measure import ranking_problems
from tests.support.stages import (
    NOISE_M,
    SEED,
    engine_settings,
    flat_at,
    stage_events,
    stage_run,
)
from tui.panels.leadout import leadout_lines

pytestmark = pytest.mark.slow


@dataclass
class Finale:
    """Every frame of the finale as `ardoise situation --json` would print it."""

    facts: ScenarioFacts
    frames: list[dict[str, Any]] = field(default_factory=list)
    situations: dict[float, Situation] = field(default_factory=dict)
    """Situations kept by feed time, from 1.5 km to go (the wheel loss)."""
    last: dict[str, Any] = field(default_factory=dict)


@cache
def finale() -> Finale:
    out = Finale(scenario_facts("flat", SEED))
    run = stage_run("flat")
    for t, situation in run.finale:
        out.frames.append(situation.to_json_dict())
        head = situation.head_km_to_finish
        if head is not None and head <= 1.5:
            out.situations[t] = situation
    assert run.last is not None
    out.last = run.last.to_json_dict()
    return out


def train(frame: dict[str, Any], team: str) -> dict[str, Any]:
    return next(t for t in frame["leadout"] if t["team"] == team)


def racing(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Frames of the finale before the sprint (after 250 m to go the last picture stands)."""
    return [f for f in frames if f["head_km_to_finish"] > 0.25]


def test_the_trains_form_in_the_scripted_order() -> None:
    run = finale()
    facts = run.facts
    in_order = 0
    frames = racing(run.frames)
    for frame in frames:
        trains = [t for t in frame["leadout"] if t["team"] in facts.sprint_teams]
        assert {t["team"] for t in trains} == set(facts.sprint_teams)
        for t in trains:
            assert t["source"] == "roster"
            assert t["sprinter"] == facts.sprinters[t["team"]]
            assert {r["bib"] for r in t["riders"]} <= set(facts.trains[t["team"]])
        order = tuple(t["team"] for t in sorted(trains, key=lambda t: t["sprinter_rank"]))
        in_order += order == facts.train_order
    # Trains 2-5 m apart: a sprinter's rank is sometimes one place off in the noise.
    assert in_order >= 0.9 * len(frames)
    _, at_5km = flat_at(5.0)
    assert tuple(t.team for t in at_5km.leadout if t.team in facts.sprint_teams) == (
        facts.train_order
    )
    assert all(t.status == "on_wheel" for t in at_5km.leadout if t.team in facts.sprint_teams)


def test_the_wheel_loss_appears_at_its_km() -> None:
    run = finale()
    loss = run.facts.wheel_loss
    assert loss is not None
    frames = racing(run.frames)
    before = [f for f in frames if f["head_km_to_finish"] > loss.km_to_go]
    assert all(train(f, loss.team)["status"] == "on_wheel" for f in before[-20:])
    lost = [f for f in frames if train(f, loss.team)["status"] == "lost_wheel"]
    assert lost
    first = lost[0]
    # Shown once two frames (~100 m each) have seen the gap over 15 m; it opens over 150 m.
    assert loss.km_to_go - 0.45 <= first["head_km_to_finish"] <= loss.km_to_go
    shown = train(first, loss.team)
    opened_at = loss.km_to_go - loss.opens_over_m / 1000
    assert opened_at - 0.05 <= shown["since_km"] <= loss.km_to_go + 0.05
    assert shown["last_man"] == loss.leadout
    assert shown["wheel_m"] > 15
    assert shown["confidence"] >= 0.8
    # It stays lost to the sprint, and the last picture (frozen at 250 m) shows it.
    assert all(train(f, loss.team)["status"] == "lost_wheel" for f in frames[frames.index(first) :])
    assert train(run.last, loss.team)["status"] == "lost_wheel"


def test_exactly_one_alert_mentions_the_lost_wheel() -> None:
    run = finale()
    loss = run.facts.wheel_loss
    assert loss is not None
    wheel = [a for a in run.last["alerts"] if "wheel" in a["text"].lower()]
    assert len(wheel) == 1
    alert = wheel[0]
    assert alert["kind"] == "lost_wheel"
    roster = run.situations[next(iter(run.situations))].roster
    assert roster.name(loss.sprinter) in alert["text"]
    assert roster.name(loss.leadout) in alert["text"]
    first = next(f for f in run.frames if train(f, loss.team)["status"] == "lost_wheel")
    assert alert["t"] == first["t"]
    assert f"at {train(first, loss.team)['since_km']:.1f} km" in alert["text"]
    # The simulator's own race radio says it too, but as news, not as an Ardoise alert.
    assert any("loses the wheel" in n["text"] for n in run.last["news"])


def test_no_other_train_loses_the_wheel() -> None:
    run = finale()
    facts = run.facts
    loss = facts.wheel_loss
    assert loss is not None
    for frame in racing(run.frames):
        for t in frame["leadout"]:
            if t["team"] in facts.sprint_teams and t["team"] != loss.team:
                assert t["status"] != "lost_wheel", (frame["head_km_to_finish"], t["team"])


def test_a_state_changes_only_after_two_frames_showing_it() -> None:
    frames = finale().frames
    for previous, frame in itertools.pairwise(frames):
        before = {t["team"]: t for t in previous["leadout"]}
        for t in frame["leadout"]:
            old = before.get(t["team"])
            if old is not None and old["status"] != t["status"]:
                assert old["pending"] == t["status"], (frame["head_km_to_finish"], t["team"])


def test_the_finale_says_how_precise_it_is() -> None:
    frame = finale().frames[len(finale().frames) // 2]
    info = frame["finale"]
    assert info["active"] is True
    assert 50 <= info["resolution_m"] <= 120  # the bunch at 50-65 km/h, a frame every 6 s
    assert info["cadence_s"] == 6
    # The engine measures the simulator's GPS noise from the frames alone.
    assert 0.8 * NOISE_M <= info["noise_m"] <= 1.2 * NOISE_M
    assert info["wheel_sigma_m"] > 0


def test_the_panel_shows_the_loss_coming_then_lost() -> None:
    run = finale()
    loss = run.facts.wheel_loss
    assert loss is not None
    times = sorted(run.situations)
    situations = [run.situations[t] for t in times]
    first = next(
        i
        for i, s in enumerate(situations)
        if next(t for t in s.leadout if t.team == loss.team).status == "lost_wheel"
    )
    lost_rows = [
        line.plain
        for line in leadout_lines(situations[first], wide=False, data_age_s=1.0)
        if line.plain.startswith(loss.team)
    ]
    since = next(t for t in situations[first].leadout if t.team == loss.team).since_km
    assert since is not None
    assert f"✗ lost the wheel {since:.1f} km" in lost_rows[0]
    coming = [
        line.plain
        for line in leadout_lines(situations[first - 1], wide=False, data_age_s=1.0)
        if line.plain.startswith(loss.team)
    ]
    assert "→ ✗?" in coming[0]


def test_the_situation_json_fills_leadout() -> None:
    """The JSON of the frame where the wheel is lost, as `ardoise situation --until` prints it
    (tests/e2e checks that the command prints the engine's situation)."""
    run = finale()
    loss = run.facts.wheel_loss
    assert loss is not None
    data = next(f for f in run.frames if train(f, loss.team)["status"] == "lost_wheel")
    lost = train(data, loss.team)
    assert lost["status"] == "lost_wheel"
    assert lost["sprinter"] == loss.sprinter
    assert [r["bib"] for r in lost["riders"]][-1] == loss.sprinter
    ranks = [r["rank"] for r in lost["riders"]]
    assert ranks == sorted(ranks)
    assert [a["kind"] for a in data["alerts"]].count("lost_wheel") == 1


def test_trains_are_detected_when_the_feed_gives_no_roles() -> None:
    """The same stage with the riders' roles taken out of the start list, as the Race Center
    sends it: the sprint teams' trains are found on the road, with their sprinters."""
    facts = scenario_facts("flat", SEED)
    loss = facts.wheel_loss
    assert loss is not None
    race = Race(engine_settings())
    at_5km: Situation | None = None
    situation = race.situation
    for event in stage_events("flat"):
        if isinstance(event, StartList):
            riders = tuple(r.model_copy(update={"role": None}) for r in event.riders)
            event = event.model_copy(update={"riders": riders})
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if at_5km is None and isinstance(event, Telemetry) and head is not None and head <= 5:
            at_5km = situation
    assert at_5km is not None
    found = {t.team: t for t in at_5km.leadout}
    # The last two trains ride from 25th back: beyond the front (the first 20) detection reads.
    at_front = set(facts.train_order[:-2])
    assert at_front <= set(found)
    assert all(t.source == "detected" for t in found.values())
    assert [t.team for t in at_5km.leadout if t.team in at_front] == list(facts.train_order[:-2])
    right = [code for code in at_front if found[code].sprinter == facts.sprinters[code]]
    assert len(right) == len(at_front)
    assert found[loss.team].sprinter == loss.sprinter
    lost = [a for a in situation.alerts if a.kind == "lost_wheel"]
    assert len(lost) == 1
    assert f"({loss.team})" in lost[0].text


def test_the_lead_out_list_agrees_with_its_own_ranks() -> None:
    """Front first by this frame's fixes, with the smoothed places as ranks: made one ranking,
    every frame of the finale (`race.leadout.views.ranked_as_listed`)."""
    finale = stage_run("flat").finale
    assert sum(1 for _, s in finale if len(s.leadout) >= 2) > 50
    for t, situation in finale:
        assert not ranking_problems(situation), (t, ranking_problems(situation))
