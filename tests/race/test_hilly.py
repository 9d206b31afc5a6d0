"""The simulated hilly stage against its script: a break of 30-35 clear for most of the day and
splitting on the climbs, a small group sprinting for the win, the bunch 12+ minutes down and
stragglers 35+ minutes down, outside the time limit. The engine must name the groups by their
role, warn of the stragglers in time, name everyone outside the cut, and draw no lead-out train
from riders out of the sprint."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pytest

from feeds.quirks import (
    Cadence,
    Ghost,
    PreStart,
    PreviousStage,
    Quirk,
    Thin,
    Vanish,
    apply_quirks,
)
from feeds.simulation import scenario_facts
from race.engine import Race
from race.models import Bib, Telemetry
from race.situation import Situation
from tests.support.stages import FINALE_KM, SEED, engine_settings, kept, stage_events
from tui.panels.timelimit import time_limit_lines

pytestmark = pytest.mark.slow

FACTS = scenario_facts("hilly", SEED)
BREAK = frozenset(FACTS.break_riders)
BUNCH = frozenset(FACTS.groups_at_finish["peloton"])
MATCH_S = 5.0
SHARE = 0.95
QUIRKS: dict[str, tuple[Quirk, ...]] = {
    "as scripted": (),
    # The real stage this one is modelled on came with all of these.
    "through real feeds' quirks": (
        PreStart(km_to_finish=12.4, duration_s=7200),
        PreviousStage(),
        Cadence(),
        Ghost(),
        Vanish(),
    ),
    # Frames with part of the field, as a real feed sent some: any 30 riders, now and then.
    "with thin frames": (Thin(which="any"),),
}


@dataclass
class HillyRun:
    racing: list[tuple[float, Situation]] = field(default_factory=list)
    """Every situation from the real start to the winner's finish."""
    feed: dict[float, dict[Bib, float | None]] = field(default_factory=dict)
    """The feed's own gaps, by frame time."""
    last: Situation | None = None


@cache
def hilly(case: str) -> HillyRun:
    run = HillyRun()
    race = Race(engine_settings())
    for event in apply_quirks(stage_events("hilly"), QUIRKS[case], SEED):
        situation = race.apply(event)
        if not isinstance(event, Telemetry):
            continue
        if situation.race_time_s is not None and not situation.winner_finished:
            run.racing.append((event.t, situation))
            run.feed[event.t] = {fix.bib: fix.feed_gap_s for fix in event.riders}
    run.last = race.situation
    return kept(run)


@pytest.fixture(params=list(QUIRKS))
def run(request: pytest.FixtureRequest) -> HillyRun:
    case: str = request.param
    return hilly(case)


def test_the_break_is_never_the_peloton_and_the_bunch_always_is(run: HillyRun) -> None:
    frames = run.racing
    assert len(frames) > 1500  # 2,618 frames racing; 1,802 with the 36 s holes
    for _, situation in frames:
        for group in situation.groups:
            riders = set(group.riders)
            if len(riders & BREAK) * 2 > len(riders):
                assert group.kind != "peloton", (situation.head_km_to_finish, group.name)
            if len(riders & BUNCH) * 2 > len(BUNCH):
                assert group.kind == "peloton", (situation.head_km_to_finish, group.name)


def test_group_gaps_match_the_feed(run: HillyRun) -> None:
    """The frames' own gaps are the script's: the groups' gaps must agree with them."""
    differences = [
        group.gap_s - reference
        for t, situation in run.racing
        for group in situation.groups
        if (reference := run.feed[t].get(group.riders[0])) is not None
    ]
    within = sum(abs(d) <= MATCH_S for d in differences) / len(differences)
    print(f"\nhilly: {len(differences)} group-frames, {within:.1%} within {MATCH_S:g} s")
    assert within >= SHARE


def test_stragglers_are_in_danger_before_20_km_to_go_and_never_safe_after(run: HillyRun) -> None:
    assert all(gap >= 35 * 60 for gap in FACTS.stragglers.values())
    for bib in FACTS.stragglers:
        warned_at: float | None = None
        for _, situation in run.racing:
            listed = {r.bib: r for r in situation.time_limit.riders}
            rider = listed.get(bib)
            at_risk = rider is not None and rider.status in ("danger", "outside")
            if warned_at is None:
                if at_risk:
                    warned_at = situation.head_km_to_finish
                continue
            if rider is not None and rider.finished:
                break
            assert at_risk, (bib, situation.head_km_to_finish, rider)
        assert warned_at is not None, bib
        assert warned_at > 20.0, bib


def test_the_watched_straggler_is_announced_before_20_km_to_go(run: HillyRun) -> None:
    last = run.last
    assert last is not None
    sprinters = [b for b in FACTS.stragglers if last.roster.riders[b].role == "sprinter"]
    assert sprinters
    for bib in sprinters:
        name = last.roster.name(bib)
        warnings = [
            a
            for a in last.alerts
            if a.kind in ("time_limit_danger", "time_limit_outside") and name in a.text
        ]
        assert warnings, name
        km = float(warnings[0].text.rsplit(", ", 1)[1].split(" km")[0])
        assert km > 20.0


def test_every_rider_outside_the_cut_is_named(run: HillyRun) -> None:
    last = run.last
    assert last is not None
    assert last.time_limit.final
    assert set(last.time_limit.finished_outside) == set(FACTS.outside_cut)
    panel = " ".join(line.plain for line in time_limit_lines(last))
    for bib in FACTS.outside_cut:
        assert last.roster.name(bib) in panel


def test_no_train_is_drawn_from_riders_out_of_the_sprint(run: HillyRun) -> None:
    winning = set(FACTS.winning_group)
    finale = [
        situation
        for _, situation in run.racing
        if situation.head_km_to_finish is not None and situation.head_km_to_finish <= FINALE_KM
    ]
    assert len(finale) > 50
    for situation in finale:
        for train in situation.leadout:
            assert {r.bib for r in train.riders} <= winning, train.team


def test_the_finish_shows_the_small_group_by_team(run: HillyRun) -> None:
    """Ten riders sprint for the win, the bunch 12 minutes down: the panel shows who is in the
    group, team by team, not trains, and no lead-out alert names anyone outside it."""
    winning = set(FACTS.winning_group)
    assert len(winning) <= 20
    last_km = [
        situation
        for _, situation in run.racing
        if situation.head_km_to_finish is not None and 0.25 < situation.head_km_to_finish <= 1.0
    ]
    assert last_km
    for situation in last_km:
        makeup = situation.finale.makeup
        assert makeup is not None, situation.head_km_to_finish
        shown = [bib for share in makeup for bib in share.riders]
        assert set(shown) <= winning
        assert len(shown) == len(set(shown))
        assert situation.leadout == ()
        clear = situation.finale.makeup_clear_s
        assert clear is None or clear >= 30.0
    last = run.last
    assert last is not None
    outside = [last.roster.name(b) for b in last.roster.riders if b not in winning]
    for alert in last.alerts:
        if alert.kind in ("lost_wheel", "train_out_of_top"):
            assert not any(name in alert.text for name in outside), alert.text
