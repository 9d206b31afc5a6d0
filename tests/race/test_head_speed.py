"""The head of the race's speed (the header's, and what a blackout's estimate rides on): its
group's speed as the gaps show it, else its road over the last 30 s."""

from __future__ import annotations

import pytest

from race.gaps.groups import HEAD_NOW_S, head_speed_now
from race.situation import GroupView
from race.tracking.trajectory import Trajectory
from tests.support.frames import T0
from tests.support.stages import stage_run
from tests.support.timelimit import view


def group(speed_kmh: float | None, *, finished: bool = False) -> GroupView:
    """The first group on the road, its riders' own speeds' median `speed_kmh`."""
    first = view("peloton", (1, 2, 3), 0.0, 20.0, kind="peloton", finished=finished)
    return first.model_copy(update={"speed_kmh": speed_kmh})


def over_a_crest() -> Trajectory:
    """Three minutes up a climb at 24 km/h, then 36 s down the other side at 60 km/h."""
    road = Trajectory()
    km, t = 30.0, T0
    for kmh, frames in ((24.0, 30), (60.0, 6)):
        for _ in range(frames):
            road.add(t, km)
            t += 6.0
            km -= kmh * 6.0 / 3600.0
    road.add(t, km)
    return road


def test_the_heads_speed_is_its_groups_else_its_road_over_the_last_30_s() -> None:
    road = over_a_crest()
    assert head_speed_now([group(57.3)], road) == 57.3
    # No rider's own speed: the road over 30 s says 60 km/h; over two minutes it said 35.
    assert HEAD_NOW_S == 30.0
    assert head_speed_now([group(None)], road) == pytest.approx(60.0)
    assert road.speed_kmh(120.0) == pytest.approx(34.8)
    assert head_speed_now([group(57.3, finished=True)], road) == pytest.approx(60.0)
    assert head_speed_now([], road) == pytest.approx(60.0)


def test_the_header_and_the_gaps_give_the_head_one_speed_on_the_simulated_stage() -> None:
    compared = 0
    for _, situation in stage_run("flat").situations:
        first = situation.groups[0] if situation.groups else None
        if first is None or first.finished or first.speed_kmh is None:
            continue
        assert situation.head_speed_kmh == first.speed_kmh
        compared += 1
    assert compared > 1000
