"""Speeds that are not the riders', on made-up frames: a feed that sends 0 for a speed it does
not have, or metres a second. The race is still seen starting by its distances, and the speeds
shown come from the riders' positions until the feed's agree with them again."""

from __future__ import annotations

import pytest

from race.engine import Race
from race.situation import Situation
from tests.support.frames import DISTANCE, frame, steady
from tests.support.routed_race import FIELD, KMH, located, racing, routed_race

MS = 1 / 3.6
"""A speed in metres a second, read as km/h."""


def play(race: Race, start_s: float, end_s: float, factor: float) -> Situation:
    """The field riding on at `KMH` (rider 1 a minute ahead), its speeds multiplied."""
    situation = race.situation
    riders = {1: (DISTANCE - 5.0, KMH)} | {b: (DISTANCE - 5.0 + KMH / 60, KMH) for b in FIELD[1:]}
    for t, kms in steady(start_s, end_s, 6, riders):
        situation = race.apply(frame(t, kms, speed_kmh={b: KMH * factor for b in kms}))
    return situation


@pytest.mark.parametrize("factor", [0.0, MS])
def test_the_race_is_seen_starting_by_its_distances(factor: float) -> None:
    race = routed_race()
    stand = {b: DISTANCE - 5.0 for b in FIELD}
    for t in range(-120, 0, 6):  # Standing: the distances do not fall.
        situation = race.apply(frame(t, stand, speed_kmh={b: 0.0 for b in stand}))
    assert situation.race_state == "pre-start"
    situation = play(race, 0, 12, factor)
    assert situation.race_state == "racing"
    assert situation.start_basis != ""


@pytest.mark.parametrize("factor", [0.0, MS])
def test_speeds_that_are_not_the_riders_are_not_shown(factor: float) -> None:
    race = routed_race()
    situation = play(race, 0, 600, factor)
    head, bunch = situation.groups
    assert bunch.gap_s == pytest.approx(60, abs=0.5)
    for group in (head, bunch):
        assert group.speed_kmh == pytest.approx(KMH, abs=1)
    assert situation.head_speed_kmh == pytest.approx(KMH, abs=1)
    reading = race.rider_reading(2)  # His card: his own speed is unknown, not 0.
    assert reading is not None
    assert reading.speed_kmh is None
    said = [a.text for a in situation.alerts if a.kind == "feed_speeds"]
    shown = f"{KMH * factor:.0f} km/h"
    assert said == [
        f"Feed: speeds of {shown} while the riders' positions move at 45: speeds "
        "taken from the positions"
    ]


def test_speeds_are_used_again_once_they_agree() -> None:
    race = routed_race()
    play(race, 0, 600, 0.0)
    situation = play(race, 606, 900, 1.0)
    # The devices' own speeds again: each group's is their median, exactly.
    assert [g.speed_kmh for g in situation.groups] == [KMH, KMH]
    said = [a.text for a in situation.alerts if a.kind == "feed_speeds"]
    assert said[1:] == ["Feed: the riders' speeds agree with their positions again"]


def test_a_field_rolling_slowly_is_not_racing_whatever_it_reports() -> None:
    """Distances falling at 10 km/h (a neutralised stretch on the course), speeds 0."""
    race = routed_race()
    for t in range(0, 120, 6):
        kms = {b: DISTANCE - 1.0 - 10.0 * t / 3600 for b in FIELD}
        situation = race.apply(frame(t, kms, speed_kmh={b: 0.0 for b in kms}))
    assert situation.race_state == "pre-start"


def test_a_feed_with_speeds_is_unchanged() -> None:
    """The check never takes a racing field's own speeds for wrong ones."""
    race = routed_race()
    situation = racing(race, 0, 600, {b: DISTANCE - 5.0 - (0.5 if b == 1 else 0) for b in FIELD})
    assert [g.speed_kmh for g in situation.groups] == [KMH, KMH]
    situation = race.apply(located(606, {b: DISTANCE - 12.0 for b in FIELD}))
    assert situation.race_state == "racing"
