"""What real feeds do, on made-up frames: a pre-start stretch, yesterday's finish sent first,
frames with impossible times, impossible values, ghost fixes and resyncs, a new stage in the
same feed. Each fault is checked against what the engine should make of it."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest

from race.engine import Race
from race.models import ProfilePoint, RiderFix, Stage, StartList, Telemetry
from race.sanity import implausible
from race.situation import Situation, TimeLimit
from race.tracking.feedtime import MAX_STEP_S
from race.tracking.geometry import KM_PER_DEGREE
from race.tracking.tracks import RiderTrack
from race.tracking.trajectory import Trajectory
from tests.support.frames import DISTANCE, T0, frame, ride, start_list, steady
from tests.support.stages import engine_settings

KMH = 45.0
FIELD = range(1, 31)


def routed_start_list() -> StartList:
    """The test stage with a route: straight north from (43°N, 0°) to the line."""
    plain = start_list()
    profile = tuple(
        ProfilePoint(km=km, altitude_m=100.0, lat=43.0 + km / KM_PER_DEGREE, lon=0.0)
        for km in range(int(DISTANCE) + 1)
    )
    return plain.model_copy(update={"stage": plain.stage.model_copy(update={"profile": profile})})


def on_route(km_to_finish: float) -> tuple[float, float]:
    return 43.0 + (DISTANCE - km_to_finish) / KM_PER_DEGREE, 0.0


def located(t: float, kms: Mapping[int, float], speed: float = KMH) -> Telemetry:
    """A frame whose GPS fixes agree with the km to go (on the route)."""
    return frame(
        t,
        dict(kms),
        speed_kmh={b: speed for b in kms},
        lat={b: on_route(km)[0] for b, km in kms.items()},
        lon={b: on_route(km)[1] for b, km in kms.items()},
    )


def racing(race: Race, start_s: float, end_s: float, kms: Mapping[int, float]) -> Situation:
    """Riders at `kms` at `start_s`, riding at 45 km/h with their GPS on the route."""
    situation = race.situation
    for t, positions in steady(start_s, end_s, 6, {b: (km, KMH) for b, km in kms.items()}):
        situation = race.apply(located(t, {b: km or 0.0 for b, km in positions.items()}))
    return situation


def routed_race() -> Race:
    race = Race(engine_settings())
    race.apply(routed_start_list())
    return race


def break_and_bunch(km: float) -> dict[int, float]:
    """Rider 1 alone 1.5 km ahead of the other 29 (two minutes at 45 km/h)."""
    return {1: km - 1.5} | {b: km for b in FIELD if b != 1}


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


# --- Ghosts and resyncs ------------------------------------------------------------------------


@pytest.mark.parametrize("jump_km", [3.0, -2.0], ids=["ahead", "behind"])
def test_a_ghost_fix_that_its_gps_agrees_with_is_set_aside(jump_km: float) -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    kms = break_and_bunch(100.0 - KMH * 306 / 3600)
    ghost = dict(kms) | {12: kms[12] - jump_km}
    situation = race.apply(located(306, ghost))
    assert situation.head_rider == 1
    assert [g.size for g in situation.groups] == [1, 29]
    situation = racing(race, 312, 900, break_and_bunch(100.0 - KMH * 312 / 3600))
    assert [g.size for g in situation.groups] == [1, 29]
    assert situation.groups[1].gap_s == pytest.approx(120, abs=1.5)
    assert situation.head_km_to_finish == pytest.approx(100.0 - 1.5 - KMH * 900 / 3600, abs=0.02)


def test_a_ghost_at_the_head_does_not_pin_the_head() -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    kms = break_and_bunch(100.0 - KMH * 306 / 3600)
    race.apply(located(306, kms | {1: kms[1] - 5.0}))
    situation = racing(race, 312, 1200, break_and_bunch(100.0 - KMH * 312 / 3600))
    assert situation.head_km_to_finish == pytest.approx(100.0 - 1.5 - KMH * 1200 / 3600, abs=0.02)
    assert situation.groups[1].gap_s == pytest.approx(120, abs=1.5)


def test_a_resync_a_kilometre_back_for_good_is_followed_not_pinned() -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    back = {
        b: km + (1.0 if b == 12 else 0.0)
        for b, km in break_and_bunch(100.0 - KMH * 306 / 3600).items()
    }
    situation = racing(race, 306, 600, back)
    rider_12 = next(g for g in situation.groups if 12 in g.riders)
    assert rider_12.riders == (12,)
    assert rider_12.gap_s == pytest.approx((1.5 + 1.0) / KMH * 3600, abs=2)


def test_trajectory_rewind_drops_the_points_the_feed_withdrew() -> None:
    path = Trajectory()
    for i, km in enumerate([10.0, 9.9, 9.8, 6.0]):  # the last one a ghost
        path.add(i * 6.0, km)
    path.rewind(24.0, 9.7)
    assert path.last_km == 9.7
    assert len(path) == 4
    assert path.passage_time(9.85) == pytest.approx(9.0)
    assert path.passage_time(6.0) is None  # The ghost's point is gone.


# --- Several stages in one feed ----------------------------------------------------------------


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


# --- The engine's own numbers ------------------------------------------------------------------


def test_numbers_no_race_can_produce_are_flagged() -> None:
    moving = [(0.0, 50.0, 1, RiderTrack(bib=1, t=0.0, km=50.0, speed=41.0))]
    reasons = implausible(
        racing=True,
        winner_finished=False,
        race_time_s=13 * 3600.0,
        covered_km=100.0,
        head_speed_kmh=0.0,
        road=moving,
        time_limit=TimeLimit(winner_speed_kmh=72.0),
    )
    assert reasons == (
        "winner's projected speed 72 km/h",
        "race time 13 h",
        "head of the race at 0 km/h while riders ride at 41 km/h",
    )
    assert not implausible(
        racing=True,
        winner_finished=False,
        race_time_s=4 * 3600.0,
        covered_km=100.0,
        head_speed_kmh=44.0,
        road=moving,
        time_limit=TimeLimit(winner_speed_kmh=44.0),
    )


def test_riders_level_at_the_last_fix_make_the_winner_a_guess() -> None:
    race = routed_race()
    level = {b: 0.6 for b in FIELD}
    ride(race, steady(0, 42, 6, {b: (km, KMH) for b, km in level.items()}))
    situation = ride(race, [(48, {b: 0.0 for b in FIELD})])
    assert situation.winner is not None
    assert not situation.winner_sure
    assert "photo finish" in situation.winner_basis
    assert any("photo finish" in a.text for a in situation.alerts if a.kind == "finish")
    alone = routed_race()
    ride(alone, steady(0, 42, 6, {1: (0.5, KMH)} | {b: (0.6, KMH) for b in FIELD if b != 1}))
    situation = ride(alone, [(48, {b: 0.0 for b in FIELD})])
    assert situation.winner == 1
    assert situation.winner_sure


def test_a_start_that_cannot_be_right_gives_no_cut_and_says_so() -> None:
    # The feed begins 50 km in at the scheduled start: a race time of seconds for 50 km.
    race = routed_race()
    situation = racing(race, 0, 120, break_and_bunch(100.0))
    assert situation.start_basis.startswith("scheduled")
    assert situation.time_limit.cut_s is None
    assert situation.time_limit.groups == ()
    assert any("average since the start" in reason for reason in situation.degraded)


# --- What a review found ---------------------------------------------------------------------


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


def test_a_ghost_of_the_lone_head_rider_leaves_the_head_of_the_race_where_it_was() -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    before = race.situation.groups[1].gap_s
    kms = break_and_bunch(100.0 - KMH * 306 / 3600)
    race.apply(located(306, kms | {1: kms[1] - 6.0}))
    situation = racing(race, 312, 600, break_and_bunch(100.0 - KMH * 312 / 3600))
    assert situation.groups[1].gap_s == pytest.approx(before, abs=1.5)
    limit = situation.time_limit
    assert all(g.status != "outside" for g in limit.groups)


def test_a_feed_splitting_each_instant_in_two_still_starts_the_race() -> None:
    race = routed_race()
    for t, kms in steady(0, 120, 6, {b: (100.0, KMH) for b in FIELD}):
        half = {b: km for b, km in kms.items() if b % 2}
        other = {b: km for b, km in kms.items() if not b % 2}
        race.apply(located(t, {b: km or 0.0 for b, km in half.items()}))
        situation = race.apply(located(t, {b: km or 0.0 for b, km in other.items()}))
    assert situation.race_state == "racing"
    assert situation.riders_tracked == len(FIELD)


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


def test_the_lone_head_rider_missing_for_a_few_frames_is_not_caught() -> None:
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(DISTANCE - 3.0))
    for t in range(306, 336, 6):  # half a minute without him
        kms = break_and_bunch((DISTANCE - 3.0) - KMH * t / 3600)
        situation = race.apply(located(t, {b: km for b, km in kms.items() if b != 1}))
        assert situation.head_km_to_finish == pytest.approx(kms[1], abs=0.02)
        assert not situation.degraded
    situation = racing(race, 336, 600, break_and_bunch((DISTANCE - 3.0) - KMH * 336 / 3600))
    assert not [a for a in situation.alerts if a.kind == "break_caught"]
    assert [a.kind for a in situation.alerts].count("break_formed") <= 1


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
