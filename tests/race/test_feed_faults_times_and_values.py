"""What real feeds do with times and numbers, on made-up frames: frames with impossible times or
after a long hole, impossible values in a fix, a frame without a usable rider, a stray fix on
the line. Each fault is checked against what the engine should make of it.
"""

from __future__ import annotations

import math

import pytest

from race.models import RiderFix, Telemetry
from race.tracking.feedtime import MAX_STEP_S
from tests.support.frames import T0, frame
from tests.support.routed_race import FIELD, KMH, break_and_bunch, located, racing, routed_race

# --- Time --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_t",
    [T0 + 86_400, (T0 + 306) * 1000, math.nan, math.inf, 1e308],
    ids=["a day ahead", "milliseconds", "nan", "inf", "1e308"],
)
def test_a_frame_with_an_impossible_time_is_set_aside(bad_t: float) -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    bad = located(306, break_and_bunch(100.0 - KMH * 306 / 3600))
    race.apply(bad.model_copy(update={"t": bad_t}))
    situation = racing(race, 306, 600, break_and_bunch(100.0 - KMH * 306 / 3600))
    assert situation.frames_dropped == 1
    assert situation.t == T0 + 600
    assert situation.head_km_to_finish == pytest.approx(100.0 - 1.5 - KMH * 600 / 3600, abs=0.02)


def test_a_long_hole_confirmed_by_the_next_frame_is_followed() -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    later = 300 + MAX_STEP_S + 600
    situation = racing(race, later, later + 60, break_and_bunch(70.0))
    assert situation.frames_dropped == 0
    assert situation.t == T0 + later + 60


def test_a_day_ahead_before_the_race_does_not_freeze_it() -> None:
    race = routed_race()
    race.apply(frame(86_400, {b: 12.4 for b in FIELD}, speed_kmh={b: 0.0 for b in FIELD}))
    situation = racing(race, 0, 300, break_and_bunch(100.0))
    assert situation.race_state == "racing"
    assert situation.t == T0 + 300
    assert [g.size for g in situation.groups] == [1, 29]


# --- Values ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308])
@pytest.mark.parametrize(
    "name",
    [
        "km_to_finish",
        "speed_kmh",
        "lat",
        "lon",
        "feed_gap_s",
        "altitude_m",
        "gradient_pct",
        "avg_speed_kmh",
    ],
)
def test_impossible_values_are_dropped_and_counted(name: str, value: float) -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    kms = break_and_bunch(100.0 - KMH * 306 / 3600)
    bad = located(306, kms)
    riders = tuple(
        fix.model_copy(update={name: value}) if fix.bib in (1, 5) else fix for fix in bad.riders
    )
    situation = race.apply(bad.model_copy(update={"riders": riders}))
    situation = racing(race, 312, 600, break_and_bunch(100.0 - KMH * 312 / 3600))
    assert [g.size for g in situation.groups] == [1, 29]
    assert all(math.isfinite(g.gap_s) and g.gap_s >= 0 for g in situation.groups)
    if name in ("km_to_finish", "speed_kmh", "lat", "lon"):
        assert situation.values_dropped >= 1  # The values the engine reads.


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308])
def test_an_impossible_km_to_go_is_replaced_by_the_riders_place_on_the_route(
    value: float,
) -> None:
    """His GPS fix is on the route: he is placed from it, in his frame, and the value counted."""
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    kms = break_and_bunch(100.0 - KMH * 306 / 3600)
    bad = located(306, kms)
    riders = tuple(
        fix.model_copy(update={"km_to_finish": value}) if fix.bib == 5 else fix
        for fix in bad.riders
    )
    situation = race.apply(bad.model_copy(update={"riders": riders}))
    assert situation.values_dropped == 1
    assert situation.placing == "gps"
    reading = race.rider_reading(5)
    assert reading is not None
    assert reading.t == T0 + 306  # Placed in this frame, not held from the one before.
    assert reading.km_to_finish == pytest.approx(kms[5], abs=0.01)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308])
def test_a_jump_with_an_impossible_gps_fix_is_judged_without_it(value: float) -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    # Rider 12 missing for a minute, then back 450 m further than his pace puts him: a jump
    # he could have ridden, which his GPS fix should confirm, but the fix is impossible.
    for t in range(306, 366, 6):
        kms = break_and_bunch(100.0 - KMH * t / 3600)
        race.apply(located(t, {b: km for b, km in kms.items() if b != 12}))
    kms = break_and_bunch(100.0 - KMH * 366 / 3600)
    jump = located(366, kms | {12: kms[12] - 0.45})
    riders = tuple(
        fix.model_copy(update={"lat": value}) if fix.bib == 12 else fix for fix in jump.riders
    )
    situation = race.apply(jump.model_copy(update={"riders": riders}))
    assert situation.values_dropped == 1
    assert [g.size for g in situation.groups] == [1, 29]


def test_a_frame_without_a_usable_rider_while_the_reference_is_not_first() -> None:
    race = routed_race()
    kms = {1: 100.0, 2: 100.02} | {b: 101.0 for b in FIELD if b > 2}
    racing(race, 0, 120, kms)
    # Rider 2 comes up to rider 1 and is first by a wheel: gaps stay on rider 1's road.
    ahead = {b: km - KMH * 126 / 3600 for b, km in kms.items()} | {
        2: 100.0 - KMH * 126 / 3600 - 0.01
    }
    situation = race.apply(located(126, ahead))
    assert situation.head_rider == 1
    race.apply(frame(132, {b: math.nan for b in FIELD}))
    situation = racing(race, 138, 240, {b: km - KMH * 138 / 3600 for b, km in kms.items()})
    assert [g.size for g in situation.groups] == [2, 28]


def test_a_stray_fix_on_the_line_mid_stage_is_no_winner() -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    stray = Telemetry(t=T0 + 306, riders=(RiderFix(bib=99, km_to_finish=0.0, finished=True),))
    race.apply(stray)
    race.apply(frame(312, {98: -400.0}))
    situation = racing(race, 312, 600, break_and_bunch(100.0 - KMH * 312 / 3600))
    assert situation.winner is None
    assert situation.values_dropped == 1
    assert [g.size for g in situation.groups] == [1, 29]
