"""Riders placed on the route from their GPS fix when the feed gives no km to go, on made-up
routes where a place is passed more than once (an out-and-back, a finish on laps): each fix is
checked against the truth.
"""

from __future__ import annotations

import math
import random

import pytest

from race.tracking.geometry import RouteLine
from race.tracking.gps import GpsPlacer
from race.tracking.routegrid import RouteGrid
from tests.support.frames import T0
from tests.support.gps_courses import (
    KMH,
    LAPS,
    OUT_AND_BACK,
    STEP_S,
    _fix,
    _frames,
    _latlon,
    _placed,
)


def test_out_and_back_every_rider_placed_on_his_own_passage() -> None:
    stage = OUT_AND_BACK.stage()
    placer = GpsPlacer()
    worst = 0.0
    frames = 0
    for frame, truth in _frames(OUT_AND_BACK, {1: 0.3, 2: 0.25, 3: 0.2, 4: 0.1}, 19.9):
        placed = _placed(placer.place(frame, stage), stage.distance_km)
        for bib, km in truth.items():
            found = placed[bib]
            assert found is not None, (frame.t - T0, bib, km)
            worst = max(worst, abs(found - km))
        frames += 1
    # The same road both ways: 4 m of GPS noise, never the other passage 2-20 km away.
    assert frames > 250
    assert worst < 0.03
    assert placer.source == "gps"
    assert placer.detail == "4 riders placed from GPS"


def test_a_rider_first_seen_on_the_way_back_goes_where_the_field_is() -> None:
    stage = OUT_AND_BACK.stage()
    placer = GpsPlacer()
    # The field comes from the turn (the one place passed once) to 14 km from the start.
    stream = list(_frames(OUT_AND_BACK, {1: 10.0, 2: 9.95, 3: 9.9}, 14.0))
    for frame, _ in stream[:-1]:
        placer.place(frame, stage)
    frame, truth = stream[-1]
    rng = random.Random(1)
    latecomer = _fix(OUT_AND_BACK, 9, truth[1] - 0.05, 0.0, rng)
    both = frame.model_copy(update={"riders": (*frame.riders, latecomer)})
    placed = _placed(placer.place(both, stage), stage.distance_km)
    # His place is also 6 km from the start, on the way out: the field says which.
    assert placed[9] == pytest.approx(truth[1] - 0.05, abs=0.01)


def test_the_schedule_decides_when_the_whole_field_is_on_a_place_passed_twice() -> None:
    stage = OUT_AND_BACK.stage()
    frame, truth = next(iter(_frames(OUT_AND_BACK, {1: 1.0, 2: 0.9}, 20.0, noise_m=0.0)))
    placed = _placed(GpsPlacer().place(frame, stage), stage.distance_km)
    # At the scheduled start the race is at the start, not 18 km on.
    assert placed == pytest.approx(truth, abs=0.01)
    unscheduled = OUT_AND_BACK.stage(scheduled=False)
    placed = _placed(GpsPlacer().place(frame, unscheduled), stage.distance_km)
    assert placed == pytest.approx(truth, abs=0.01)  # The first passage, with nothing else.


def test_a_fix_on_a_passage_he_cannot_have_reached_is_not_a_jump() -> None:
    stage = OUT_AND_BACK.stage()
    placer = GpsPlacer()
    stream = list(_frames(OUT_AND_BACK, {1: 3.0, 2: 3.1}, 4.0, noise_m=0.0))
    for frame, _ in stream[:-1]:
        placer.place(frame, stage)
    frame, truth = stream[-1]
    # Rider 1's GPS puts him 5 km on from his last fix, 6 s ago: 2 km east or 18 km from the
    # start, wherever he is it is nowhere he could have ridden to.
    glitch = _fix(OUT_AND_BACK, 1, 8.0, 0.0, random.Random(1))
    riders = (glitch, *(f for f in frame.riders if f.bib != 1))
    placed = _placed(
        placer.place(frame.model_copy(update={"riders": riders}), stage), stage.distance_km
    )
    assert placed[1] is None
    assert placed[2] == pytest.approx(truth[2], abs=0.01)
    # His next fix where he is: placed again.
    following = next(iter(_frames(OUT_AND_BACK, {1: truth[1] + KMH * STEP_S / 3600}, 20.0)))
    again = placer.place(following[0].model_copy(update={"t": frame.t + STEP_S}), stage)
    assert _placed(again, stage.distance_km)[1] == pytest.approx(following[1][1], abs=0.02)


def test_laps_of_a_finishing_circuit_keep_each_rider_on_his_lap() -> None:
    stage = LAPS.stage()
    assert stage.distance_km == pytest.approx(29.0)
    placer = GpsPlacer()
    worst = 0.0
    # Every place of the circuit is passed three times: each pass is 8 km from the others.
    for frame, truth in _frames(LAPS, {1: 4.0, 2: 3.0, 3: 1.0}, 28.9):
        placed = _placed(placer.place(frame, stage), stage.distance_km)
        worst = max(worst, *(abs((placed[b] or math.inf) - km) for b, km in truth.items()))
    assert worst < 0.03


def test_the_grid_finds_every_passage_of_a_place_and_nothing_off_the_route() -> None:
    route = RouteLine(LAPS.stage().profile, LAPS.length)
    grid = RouteGrid(route)
    lat, lon = LAPS.at(5.0)  # The circuit's corner: km 5, 13, 21 and 29 (the finish).
    assert grid.passages(*route.plane(lat, lon)) == pytest.approx([5.0, 13.0, 21.0, 29.0])
    lat, lon = LAPS.at(6.0)
    assert grid.passages(*route.plane(lat, lon)) == pytest.approx([6.0, 14.0, 22.0])
    lat, lon = _latlon(1.0, 1.0)  # Inside the circuit, 1 km from every side.
    assert grid.passages(*route.plane(lat, lon)) == []
