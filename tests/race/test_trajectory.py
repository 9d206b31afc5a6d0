"""A rider's trajectory (km to go over time) and the passage times read from it: interpolated,
extrapolated before the first point, across a stationary stretch and a hole, held through
jitter backwards.
"""

from __future__ import annotations

import itertools

import pytest

from race.tracking.trajectory import Trajectory
from tests.support.frames import T0


def test_passage_time_interpolates_and_extrapolates_before_the_first_point() -> None:
    path = Trajectory()
    for i in range(10):
        path.add(T0 + 6 * i, 100 - 0.075 * i)  # 45 km/h
    assert path.passage_time(100 - 0.075 * 3.5) == pytest.approx(T0 + 21)
    assert path.passage_time(100.075) == pytest.approx(T0 - 6)
    assert path.passage_time(99.0) is None  # not there yet
    assert path.speed_kmh() == pytest.approx(45)


def test_passage_time_of_a_stationary_stretch_is_when_it_was_left() -> None:
    path = Trajectory()
    for i in range(5):
        path.add(T0 + 6 * i, 150.0)  # the neutralised start
    path.add(T0 + 30, 149.9)
    assert path.passage_time(150.0) == T0 + 24


def test_a_hole_is_crossed_at_the_pace_on_either_side() -> None:
    """Slow before a one-minute hole, fast after it (a summit): the cubic puts the point
    halfway in distance later than halfway in time, a straight line would not."""
    path = Trajectory()
    t = 0.0
    km = 50.0
    for _ in range(5):
        path.add(T0 + t, km)
        t, km = t + 6, km - 25 * 6 / 3600
    hole_start_t, hole_start_km = t - 6, km + 25 * 6 / 3600
    t, km = t + 54, km - 0.5
    for _ in range(5):
        path.add(T0 + t, km)
        t, km = t + 6, km - 50 * 6 / 3600
    hole_end_km = hole_start_km - 0.5 - 25 * 6 / 3600
    middle = (hole_start_km + hole_end_km) / 2
    passed = path.passage_time(middle)
    assert passed is not None
    linear = T0 + hole_start_t + 60 / 2
    assert passed > linear + 3
    # Monotone through the hole.
    times = [path.passage_time(hole_start_km - d / 100) for d in range(0, 66)]
    assert all(a is not None and b is not None and a <= b for a, b in itertools.pairwise(times))


def test_jitter_backwards_holds_the_distance() -> None:
    path = Trajectory()
    path.add(T0, 10.0)
    path.add(T0 + 6, 10.05)
    path.add(T0 + 12, 9.9)
    assert path.last_km == 9.9
    assert path.km_at(T0 + 6) == 10.0
