"""What real feeds do before the race and with the start list, on made-up frames: a pre-start
stretch, riders away from the route, yesterday's finish sent first, each instant split in two, a
new stage in the same feed, a start list sent again or with a route point wrong. Each fault is
checked against what the engine should make of it.
"""

from __future__ import annotations

import math

import pytest

from race.engine import Race
from race.models import RiderFix, Stage, Telemetry
from tests.support.frames import DISTANCE, T0, frame, ride, steady
from tests.support.routed_race import (
    FIELD,
    KMH,
    break_and_bunch,
    located,
    on_route,
    racing,
    routed_race,
    routed_start_list,
)
from tests.support.stages import engine_settings

# --- Before the race ---------------------------------------------------------------------------


def test_a_pre_start_at_a_constant_km_is_not_the_race() -> None:
    race = routed_race()
    stand = {b: 12.4 for b in FIELD if b > 4}  # the leaders are not in the feed yet
    for t in [*range(-3600, -1800, 6), *range(-1230, 0, 6)]:  # with a 570 s hole
        situation = race.apply(frame(t, stand, speed_kmh={b: 1.5 for b in stand}))
    assert situation.race_state == "pre-start"
    assert situation.groups == ()
    assert situation.head_km_to_finish is None
    assert situation.riders_tracked == 0
    situation = racing(race, 0, 600, break_and_bunch(DISTANCE - 3.0))
    assert situation.race_state == "racing"
    # The head (rider 1) is first seen 4.5 km in.
    assert situation.start_basis.startswith("extrapolated over 4.5 km")
    assert situation.start_t == pytest.approx(T0 - 4.5 / KMH * 3600, abs=3)
    assert [g.size for g in situation.groups] == [1, 29]
    assert situation.groups[1].gap_s == pytest.approx(1.5 / KMH * 3600, abs=1)


def test_km_from_the_start_sent_as_km_to_go_is_said_so() -> None:
    """A feed sending the distance ridden where the distance to go belongs (a generic feed
    mapped wrong): the riders' fixes are on the route only where those km from the start put
    them. Nothing is raced on such distances; the header says what they look like."""
    race = routed_race()
    for t in range(0, 120, 6):
        ridden = {b: 20.0 - 0.0125 * i + KMH * t / 3600 for i, b in enumerate(FIELD)}
        fixes = {b: on_route(DISTANCE - km) for b, km in ridden.items()}
        situation = race.apply(
            frame(
                t,
                ridden,
                speed_kmh={b: KMH for b in ridden},
                lat={b: lat for b, (lat, _) in fixes.items()},
                lon={b: lon for b, (_, lon) in fixes.items()},
            )
        )
    assert situation.race_state == "pre-start"
    assert situation.race_state_detail == "km from the start?"


def test_riders_away_from_the_route_are_not_racing_whatever_they_report() -> None:
    race = routed_race()
    far = {b: DISTANCE - 10 - 0.0125 * i for i, b in enumerate(FIELD)}
    for t in range(0, 120, 6):
        # Moving at 30 km/h, km to go falling, but 200 km east of the route.
        kms = {b: km - 30 * t / 3600 for b, km in far.items()}
        situation = race.apply(
            frame(
                t,
                kms,
                speed_kmh={b: 30.0 for b in kms},
                lat={b: 43.0 for b in kms},
                lon={b: 2.5 for b in kms},
            )
        )
    assert situation.race_state == "pre-start"
    assert "route" in situation.race_state_detail
    assert situation.riders_tracked == 0


def test_yesterdays_finish_sent_first_is_not_a_winner() -> None:
    race = routed_race()
    yesterday = Telemetry(
        t=T0 - 15 * 3600,
        riders=tuple(RiderFix(bib=b, km_to_finish=0.0, finished=True) for b in FIELD),
    )
    situation = race.apply(yesterday)
    assert situation.race_state == "pre-start"
    assert situation.winner is None
    situation = racing(race, 0, 300, break_and_bunch(DISTANCE - 3.0))
    assert situation.winner is None
    assert situation.race_time_s == pytest.approx(300 + 4.5 / KMH * 3600, abs=3)
    assert situation.time_limit.winner_time_s is None or situation.time_limit.winner_time_s > 0


def test_a_field_standing_at_km_0_then_leaving_is_a_start_seen() -> None:
    race = routed_race()
    for t in range(-600, 0, 6):
        race.apply(located(t, {b: DISTANCE for b in FIELD}, speed=0.0))
    situation = racing(race, 6, 300, {b: DISTANCE - KMH * 6 / 3600 for b in FIELD})
    assert situation.start_basis == "seen"
    assert situation.start_t == pytest.approx(T0, abs=1)


def test_a_feed_splitting_each_instant_in_two_still_starts_the_race() -> None:
    race = routed_race()
    for t, kms in steady(0, 120, 6, {b: (100.0, KMH) for b in FIELD}):
        half = {b: km for b, km in kms.items() if b % 2}
        other = {b: km for b, km in kms.items() if not b % 2}
        race.apply(located(t, {b: km or 0.0 for b, km in half.items()}))
        situation = race.apply(located(t, {b: km or 0.0 for b, km in other.items()}))
    assert situation.race_state == "racing"
    assert situation.riders_tracked == len(FIELD)


@pytest.mark.parametrize("kept", ["the break", "half the bunch"])
def test_frames_with_part_of_the_field_in_between_still_start_the_race(kept: str) -> None:
    """Two frames in three with only some riders (the lone leader 1.5 km ahead, or half of
    the bunch): each frame's own front jumps between them, the riders in both move on."""
    race = routed_race()
    for i, (t, kms) in enumerate(
        steady(0, 120, 6, {b: (km, KMH) for b, km in break_and_bunch(100.0).items()})
    ):
        if i % 3:
            kms = {b: km for b, km in kms.items() if (b == 1 if kept == "the break" else b % 2)}
        situation = race.apply(located(t, {b: km or 0.0 for b, km in kms.items()}))
    assert situation.race_state == "racing"
    assert situation.head_rider == 1


# --- The start list -------------------------------------------------------------------------------


def test_a_new_start_list_starts_a_new_race() -> None:
    race = routed_race()
    ride(race, steady(0, 120, 6, {b: (0.6, KMH) for b in FIELD}))
    situation = ride(race, steady(126, 240, 6, {b: (0.0, KMH) for b in FIELD}))
    assert situation.winner is not None
    tomorrow = routed_start_list()
    stage = tomorrow.stage.model_copy(update={"number": 2, "scheduled_start": T0 + 86_400})
    race.apply(tomorrow.model_copy(update={"stage": stage}))
    situation = racing(race, 86_400, 86_700, break_and_bunch(DISTANCE - 3.0))
    assert situation.winner is None
    assert situation.alerts == () or all(a.t >= T0 + 86_400 for a in situation.alerts)
    assert situation.race_time_s == pytest.approx(300 + 4.5 / KMH * 3600, abs=3)
    assert isinstance(situation.stage, Stage)
    assert situation.stage.number == 2


def test_a_start_list_sent_again_with_a_corrected_length_is_the_same_race() -> None:
    race = routed_race()
    before = racing(race, 0, 300, break_and_bunch(100.0)).start_t
    start = routed_start_list()
    again = start.stage.model_copy(update={"distance_km": DISTANCE + 0.4})
    race.apply(start.model_copy(update={"stage": again}))
    situation = racing(race, 306, 600, break_and_bunch(100.0 - KMH * 306 / 3600))
    assert situation.start_t == before
    assert [g.size for g in situation.groups] == [1, 29]
    formed = [a for a in situation.alerts if a.kind == "break_formed"]
    assert len(formed) == 1
    assert formed[0].t < T0 + 306  # Raised before the start list came again: kept.


@pytest.mark.parametrize(
    "change",
    [
        {"scheduled_start": None},
        {"number": None},
        {"start": "  LANNEMEZAN ", "finish": "Pàu"},
        {"number": None, "scheduled_start": None, "start": "Lannemezan"},
        {"profile": (), "climbs": ()},
    ],
    ids=[
        "without its start",
        "without its number",
        "places spelt again",
        "only a place",
        "no route",
    ],
)
def test_a_start_list_sent_again_with_less_or_respelt_is_the_same_race(
    change: dict[str, object],
) -> None:
    """Mid-race, a start list sent again without a value it carried, or with a place spelt
    another way, is the same stage: nothing seen of the road is lost, and what it no longer
    says is kept from the one before."""
    race = routed_race()
    start = routed_start_list()
    first = start.stage.model_copy(update={"start": "Lannemezan", "finish": "Pau"})
    race.apply(start.model_copy(update={"stage": first}))
    before = racing(race, 0, 300, break_and_bunch(100.0))
    again = first.model_copy(update=change)
    race.apply(start.model_copy(update={"stage": again}))
    situation = racing(race, 306, 600, break_and_bunch(100.0 - KMH * 306 / 3600))
    assert situation.start_t == before.start_t
    assert [g.size for g in situation.groups] == [1, 29]
    formed = [a for a in situation.alerts if a.kind == "break_formed"]
    assert len(formed) == 1
    assert formed[0].t < T0 + 306  # Raised before the start list came again: kept.
    assert isinstance(situation.stage, Stage)
    assert situation.stage.number == first.number
    assert situation.stage.scheduled_start == first.scheduled_start
    assert len(situation.stage.profile) == len(first.profile)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e30])
@pytest.mark.parametrize("name", ["km", "altitude_m", "lat", "lon"])
def test_a_route_point_the_feed_got_wrong_is_left_out(name: str, value: float) -> None:
    start = routed_start_list()
    profile = list(start.stage.profile)
    profile[40] = profile[40].model_copy(update={name: value})
    stage = start.stage.model_copy(update={"profile": tuple(profile), "scheduled_start": value})
    race = Race(engine_settings())
    race.apply(start.model_copy(update={"stage": stage}))
    situation = racing(race, 0, 300, break_and_bunch(DISTANCE - 3.0))
    assert [g.size for g in situation.groups] == [1, 29]
    assert situation.start_basis.startswith("extrapolated")
