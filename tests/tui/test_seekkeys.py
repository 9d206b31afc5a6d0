"""A replay's speed keys: twice or half as fast, within the replay's bounds."""

from __future__ import annotations

from tui.seekkeys import MIN_SPEED, next_speed


def test_twice_and_half_as_fast_within_the_bounds() -> None:
    assert next_speed(20.0, 2, 100.0) == 40.0
    assert next_speed(80.0, 2, 100.0) == 100.0
    assert next_speed(20.0, 0.5, 100.0) == 10.0
    assert next_speed(MIN_SPEED, 0.5, 100.0) == MIN_SPEED
    assert next_speed(3.0, 2, None) == 6.0


def test_as_fast_as_possible_slows_to_the_fastest_pace() -> None:
    assert next_speed(0.0, 0.5, 1000.0) == 1000.0
    assert next_speed(0.0, 2, 1000.0) == 0.0
