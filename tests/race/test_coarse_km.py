"""A feed giving km to go in 100 m steps (or coarser) where the Race Center gives 10 m: one bunch
spread over two or three steps 7 s apart must not read as groups (`race.tracking.grain`). With
the route and GPS fixes each rider is placed within his step; without them, riders one step
apart are not split, and the radio says so."""

from __future__ import annotations

import math
import random

import pytest

from race.gaps.groups import split_by_gap
from race.models import RiderFix, Telemetry
from race.situation import Situation
from race.tracking.geometry import RouteLine
from race.tracking.grain import MIN_VALUES, Grain, within_steps
from tests.support.frames import DISTANCE
from tests.support.routed_race import KMH, located, routed_race, routed_start_list

BUNCH_M = 150.0
"""The bunch's length on the road: its 24 riders spread evenly over it."""


def fixes(kms: list[float]) -> list[RiderFix]:
    return [RiderFix(bib=i + 1, km_to_finish=km) for i, km in enumerate(kms)]


def stepped(km: float, step: float, how: str = "round") -> float:
    cut = round(km / step) if how == "round" else math.floor(km / step)
    return round(cut * step, 6)


def test_a_feed_in_10_m_steps_is_fine() -> None:
    rng = random.Random(1)
    grain = Grain()
    grain.see(fixes([round(80.0 + rng.uniform(0, 3), 2) for _ in range(180)]))
    assert grain.km is None


@pytest.mark.parametrize("step", [0.1, 0.2, 0.5, 1.0])
def test_the_step_is_read_from_the_riders_km(step: float) -> None:
    rng = random.Random(2)
    grain = Grain()
    grain.see(fixes([stepped(80.0 + rng.uniform(0, 30), step) for _ in range(180)]))
    assert grain.km == step
    assert grain.coarse_km == step


def test_a_field_on_a_few_values_says_nothing() -> None:
    """A field at the start (every rider on one km) is on every step: that frame, and any with
    fewer than `MIN_VALUES` values, leaves the step as it was."""
    grain = Grain()
    grain.see(fixes([155.0] * 180))
    assert grain.km is None
    grain.see(fixes([80.0 + k / 10 for k in range(MIN_VALUES[0.1])] * 20))
    assert grain.km == 0.1
    grain.see(fixes([70.0, 70.1, 70.2] * 60))
    assert grain.km == 0.1


def test_a_few_values_off_the_step_do_not_undo_it_many_do() -> None:
    rng = random.Random(3)
    on_step = [stepped(80.0 + rng.uniform(0, 30), 0.1) for _ in range(170)]
    grain = Grain()
    grain.see(fixes([*on_step, 81.37]))  # One rider from another source.
    assert grain.km == 0.1
    grain.see(fixes([*on_step, *(round(81.0 + k / 97, 2) for k in range(1, 30))]))
    assert grain.km is None


def test_riders_one_step_apart_are_not_split_two_are() -> None:
    """Gaps of 8 s between riders one 100 m step apart: one group; two steps: two groups."""
    assert split_by_gap([0.0, 8.0, 16.0], 3.0, [50.0, 50.1, 50.2], 0.1) == [range(0, 3)]
    assert split_by_gap([0.0, 16.0], 3.0, [50.0, 50.2], 0.1) == [range(0, 1), range(1, 2)]
    # Without a step, the gaps alone.
    assert len(split_by_gap([0.0, 8.0, 16.0], 3.0)) == 3


def test_a_rider_is_placed_within_his_step_from_his_fix() -> None:
    stage = routed_start_list().stage
    route = RouteLine(stage.profile, stage.distance_km)
    frame = located(0.0, {1: 42.37, 2: 42.31, 3: 42.52})
    coarse = [
        fix.model_copy(update={"km_to_finish": stepped(fix.km_to_finish or 0.0, 0.1)})
        for fix in frame.riders
    ]
    off_route = coarse[2].model_copy(update={"lon": 0.01})  # 800 m east of the road.
    placed = within_steps([*coarse[:2], off_route], route, 0.1)
    assert sorted(placed) == [0, 1]
    assert DISTANCE - placed[0] == pytest.approx(42.37, abs=0.002)
    assert DISTANCE - placed[1] == pytest.approx(42.31, abs=0.002)


def bunch_and_break(t: float) -> dict[int, float]:
    """Rider 1 a minute ahead; riders 2-25 a bunch 150 m long; 26-30 a group 400 m behind it
    (32 s), all riding at 45 km/h from 60 km to go."""
    km = 60.0 - KMH * t / 3600.0
    kms = {1: km - KMH / 60}
    kms |= {b: km + (b - 2) * BUNCH_M / 1000 / 23 for b in range(2, 26)}
    kms |= {b: km + BUNCH_M / 1000 + 0.4 + (b - 26) * 0.005 for b in range(26, 31)}
    return kms


def ride_coarse(
    *, gps: bool, how: str = "round", step: float = 0.1, located_bibs: range = range(1, 31)
) -> Situation:
    """The bunch and break in `step` km steps; with `gps`, the riders of `located_bibs` have
    their fixes, the others none."""
    race = routed_race()
    situation = race.situation
    for t in range(0, 600, 6):
        true = bunch_and_break(float(t))
        frame = located(float(t), true)
        riders = tuple(
            fix.model_copy(
                update={"km_to_finish": stepped(true[fix.bib], step, how)}
                | ({} if gps and fix.bib in located_bibs else {"lat": None, "lon": None})
            )
            for fix in frame.riders
        )
        situation = race.apply(Telemetry(t=frame.t, riders=riders))
    return situation


def group_sizes(situation: Situation) -> list[int]:
    return [len(group.riders) for group in situation.groups]


@pytest.mark.parametrize("how", ["round", "down"])
def test_with_gps_the_groups_and_gaps_are_the_fine_feeds(how: str) -> None:
    situation = ride_coarse(gps=True, how=how)
    assert group_sizes(situation) == [1, 24, 5]
    _, bunch, behind = situation.groups
    assert bunch.gap_s == pytest.approx(60.0, abs=1.0)
    assert behind.gap_s == pytest.approx(60.0 + (BUNCH_M / 1000 + 0.4) / KMH * 3600, abs=1.5)
    said = [a.text for a in situation.alerts if a.kind == "feed_km_steps"]
    assert said == ["Feed: km to go in 100 m steps, placed within them from GPS"]


@pytest.mark.parametrize("how", ["round", "down"])
def test_without_gps_one_bunch_stays_one_group_and_it_is_said(how: str) -> None:
    situation = ride_coarse(gps=False, how=how)
    assert group_sizes(situation) == [1, 24, 5]
    assert situation.groups[1].gap_s == pytest.approx(60.0, abs=9.0)  # Within a step.
    said = [a.text for a in situation.alerts if a.kind == "feed_km_steps"]
    assert said == ["Feed: km to go in 100 m steps: riders less than 200 m apart not told apart"]


def test_a_fine_feed_is_read_as_it_was() -> None:
    race = routed_race()
    for t in range(0, 600, 6):
        situation = race.apply(located(float(t), bunch_and_break(float(t))))
    assert group_sizes(situation) == [1, 24, 5]
    assert not [a for a in situation.alerts if a.kind == "feed_km_steps"]


def test_with_gps_for_half_the_riders_the_steps_rule_holds_for_all() -> None:
    """Riders without a fix keep the feed's steps: one step from the riders placed within
    theirs, they are not split from them."""
    situation = ride_coarse(gps=True, located_bibs=range(1, 31, 2))
    assert group_sizes(situation) == [1, 24, 5]
    said = [a.text for a in situation.alerts if a.kind == "feed_km_steps"]
    assert said == ["Feed: km to go in 100 m steps: riders less than 200 m apart not told apart"]


@pytest.mark.parametrize(("step", "how"), [(1.0, "round"), (1.0, "down"), (0.5, "round")])
def test_a_feed_turning_coarse_is_read_from_its_first_coarse_frame(step: float, how: str) -> None:
    """Fine for five minutes, then in `step` km steps: the compact field's first coarse frames
    carry three or four values, too few for the step to be known, enough to place the riders
    within it from GPS. The head is never merged with the bunch, no gap moves, no rider's km
    to go is taken for an offset."""
    race = routed_race()
    for t in range(0, 600, 6):
        true = bunch_and_break(float(t))
        frame = located(float(t), true)
        if t >= 300:
            frame = frame.model_copy(
                update={
                    "riders": tuple(
                        fix.model_copy(update={"km_to_finish": stepped(true[fix.bib], step, how)})
                        for fix in frame.riders
                    )
                }
            )
        situation = race.apply(frame)
        if t >= 240:
            assert group_sizes(situation) == [1, 24, 5], t
            assert situation.groups[1].gap_s == pytest.approx(60.0, abs=1.5), t
    assert not [a for a in situation.alerts if a.kind == "feed_km_offset"]


def test_a_frame_on_a_step_is_placed_within_it_before_the_step_is_known() -> None:
    grain = Grain()
    grain.see(fixes([42.0, 43.0, 45.0]))
    assert (grain.km, grain.frame_on_km, grain.frame_km) == (None, 1.0, 1.0)
    grain.see(fixes([42.0]))  # One value: on the step, too few to place by it.
    assert (grain.frame_on_km, grain.frame_km) == (1.0, None)
    grain.see(fixes([42.37, 43.1, 45.0]))
    assert (grain.frame_on_km, grain.frame_km) == (None, None)
