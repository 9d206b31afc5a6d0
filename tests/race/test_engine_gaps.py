"""The engine on made-up frames: gaps on the road (missing riders, odd fields, split instants,
a catch, a GPS jump, a resync), the groups and their ids, trends and catch points.

Each test builds the few frames it needs, so that what is checked is plain to see.
"""

from __future__ import annotations

import pytest

from race.engine import Race
from race.gaps.lineage import GroupIdentity
from race.gaps.settings import GapsSettings
from race.gaps.trends import GapHistory, project_catch
from race.settings import StageSettings, TeamSettings
from tests.support.frames import T0, frame, new_race, ride, rolling_up_to, start_list, steady
from tests.support.stages import engine_settings

# --- Gaps on the road -------------------------------------------------------------------------


def test_passage_time_gap_of_a_chasing_group() -> None:
    race = new_race()
    # Rider 1 leads at 45 km/h; riders 2-25 are 0.75 km behind at the same speed: 60 s.
    riders = {1: (100.0, 45.0)} | {b: (100.75, 45.0) for b in range(2, 26)}
    situation = ride(race, steady(0, 600, 6, riders))
    head, peloton = situation.groups
    assert head.riders == (1,)
    assert head.gap_s == 0
    assert peloton.gap_s == pytest.approx(60, abs=0.5)
    assert peloton.kind == "peloton"
    assert peloton.gap_to_ahead_s == pytest.approx(60, abs=0.5)
    assert peloton.trend_s_per_10km == pytest.approx(0, abs=1)
    assert peloton.speed_kmh == 45


def test_a_missing_rider_keeps_his_gap_then_is_no_longer_tracked() -> None:
    race = new_race(gaps=GapsSettings(hold_missing_s=30.0))
    riders = {1: (100.0, 45.0), 2: (100.5, 45.0)}
    ride(race, steady(0, 120, 6, riders))
    situation = ride(race, [(t, {1: round(100 - 45 * t / 3600, 2)}) for t in (126, 132)])
    assert [g.riders for g in situation.groups] == [(1,), (2,)]
    assert situation.groups[1].gap_s == pytest.approx(40, abs=0.5)
    # Moved along with the head, as far behind it in time as before.
    assert situation.groups[1].km_to_finish == pytest.approx(100.5 - 45 * 132 / 3600, abs=0.02)
    situation = ride(race, [(t, {1: round(100 - 45 * t / 3600, 2)}) for t in (150, 160)])
    assert [g.riders for g in situation.groups] == [(1,)]
    assert situation.riders_tracked == 1


def test_frames_without_any_rider_keep_the_last_picture_said_unseen() -> None:
    # The feed's tracking down: frames keep coming, with no rider in them. Nothing is learned
    # from them, and nobody is dropped for it (as with no frame at all); the groups say since
    # when they are not seen.
    race = new_race(gaps=GapsSettings(hold_missing_s=30.0))
    riders = {1: (100.0, 45.0), 2: (100.5, 45.0)}
    before = ride(race, steady(0, 120, 6, riders))
    situation = ride(race, [(t, {}) for t in range(126, 300, 6)])
    assert [g.riders for g in situation.groups] == [(1,), (2,)]
    assert [g.gap_s for g in situation.groups] == [g.gap_s for g in before.groups]
    assert [g.unseen_since_t for g in situation.groups] == [T0 + 120, T0 + 120]
    # Riders back: whoever the feed still lacks is held `hold_missing_s` from then on.
    situation = ride(race, [(t, {1: round(100 - 45 * t / 3600, 2)}) for t in range(300, 336, 6)])
    assert [g.riders for g in situation.groups] == [(1,)]
    assert situation.groups[0].unseen_since_t is None


def test_null_fields_and_unknown_riders_are_harmless() -> None:
    race = new_race()
    rolling_up_to(race, 0, {1: 100.0, 2: None, 99: 100.2})
    race.apply(frame(0, {1: 100.0, 2: None, 99: 100.2}))
    situation = race.apply(frame(6, {1: 99.92, 2: None, 99: 100.12}))
    assert {b for g in situation.groups for b in g.riders} == {1, 99}


def test_frames_of_one_instant_are_merged_and_older_ones_dropped() -> None:
    race = new_race()
    ride(race, steady(0, 60, 6, {1: (100.0, 45.0), 2: (100.3, 45.0)}))
    race.apply(frame(66, {1: round(100 - 45 * 66 / 3600, 2)}))
    situation = race.apply(frame(66, {2: round(100.3 - 45 * 66 / 3600, 2)}))
    assert situation.riders_tracked == 2
    assert situation.groups[1].gap_s == pytest.approx(24, abs=0.5)
    before = situation
    situation = race.apply(frame(12, {1: 50.0}))
    assert situation.frames_dropped == 1
    assert situation.groups == before.groups


def test_gaps_are_to_the_new_head_after_a_catch() -> None:
    """Rider 1 is caught by the bunch; a dropped rider's gap is then to the bunch's front."""
    race = new_race()
    bunch = {b: (100.5, 45.0) for b in range(2, 24)}
    riders = {1: (100.0, 36.0), 30: (101.0, 45.0)} | bunch
    # The bunch catches rider 1 after 200 s, and leaves him behind.
    situation = ride(race, steady(0, 600, 6, riders))
    assert situation.groups[0].size == 22
    assert situation.groups[0].gap_s == 0
    dropped = next(g for g in situation.groups if g.riders == (30,))
    # 0.5 km behind the bunch at 45 km/h: 40 s, not 40 s plus what rider 1 had on the bunch.
    assert dropped.gap_s == pytest.approx(40, abs=1)
    assert situation.groups[-1].riders == (1,)


def test_a_gps_jump_does_not_make_a_new_head() -> None:
    race = new_race()
    riders = {b: (100.0, 45.0) for b in range(1, 25)}
    ride(race, steady(0, 120, 6, riders))
    km = round(100 - 45 * 126 / 3600, 2)
    kms = {b: km for b in riders} | {7: km - 0.7}
    # Bib 7's km to go jumps 700 m but his GPS position barely moves.
    lat = {b: 43.0 for b in riders}
    situation = race.apply(
        frame(126, kms, speed_kmh={b: 45.0 for b in riders}, lat=lat, lon=dict(lat))
    )
    assert situation.groups[0].size == 24
    assert situation.head_km_to_finish == pytest.approx(km)
    assert not [a for a in situation.alerts if a.kind == "break_formed"]


def test_a_resync_into_the_group_is_accepted() -> None:
    """Bib 7's device is stuck for five frames, its speed saying he stopped (a position stuck
    while the speed says he rides is no position: see `test_feed_faults_repeats`), then
    resyncs into the group."""
    race = new_race()
    riders = {b: (100.0, 45.0) for b in range(1, 25)}
    lagging = steady(0, 120, 6, riders)
    for _, kms in lagging[-5:]:
        kms[7] = lagging[-6][1][7]
    ride(race, lagging[:-5])
    for t, kms in lagging[-5:]:
        speeds = {b: 0.0 if b == 7 else 45.0 for b in kms}
        situation = race.apply(frame(t, kms, speed_kmh=speeds))
    assert situation.groups[-1].riders == (7,)
    km = round(100 - 45 * 126 / 3600, 2)
    situation = ride(race, [(126, {b: km for b in riders})])
    assert [g.size for g in situation.groups] == [24]


# --- Groups ------------------------------------------------------------------------------------


def test_split_threshold_is_configurable() -> None:
    riders = {1: (100.0, 45.0), 2: (100.05, 45.0)}  # 4 s apart
    assert len(ride(new_race(), steady(0, 60, 6, riders)).groups) == 2
    assert (
        len(
            ride(
                new_race(stage=StageSettings(split_threshold_s=5.0)), steady(0, 60, 6, riders)
            ).groups
        )
        == 1
    )


def test_group_ids_follow_the_riders() -> None:
    ids = GroupIdentity()
    first = ids.assign([frozenset({1}), frozenset(range(2, 30))])
    # A rider drops out of the bunch: the bunch keeps its id, he gets a new one.
    second = ids.assign([frozenset({1}), frozenset(range(2, 29)), frozenset({29})])
    assert second[:2] == first
    assert second[2] not in first
    # The break is caught: the bunch keeps its id (most of its riders).
    third = ids.assign([frozenset(range(1, 29)), frozenset({29})])
    assert third == [first[1], second[2]]


def test_notable_riders_of_a_group() -> None:
    race = Race(engine_settings(team=TeamSettings(code="AAA", marked=(4,))))
    race.apply(start_list())
    rolling_up_to(race, 0, {b: 100.0 for b in range(1, 6)})
    situation = race.apply(frame(0, {b: 100.0 for b in range(1, 6)}, jersey={3: "yellow"}))
    notable = {n.bib: n.reasons for n in situation.groups[0].notable}
    assert notable[1] == ("my team",)
    assert notable[2] == ("sprinter",)
    assert notable[3] == ("yellow", "my team")
    assert notable[4] == ("marked",)
    assert 5 in notable
    assert "my team" in notable[5]


# --- Trends and catches -----------------------------------------------------------------------


def test_trend_is_the_slope_over_the_window_with_its_basis() -> None:
    history = GapHistory(window_km=10.0, min_km=2.0)
    for i in range(200):
        km = 100 - i * 0.075
        history.add(T0 + 6 * i, km, 60 + 0.5 * (100 - km) + (1 if i % 2 else -1))
    trend = history.trend()
    assert trend is not None
    assert trend.s_per_10km == pytest.approx(5.0, abs=0.2)
    assert trend.s_per_min == pytest.approx(5.0 * 45 / 60 / 10 * 60 / 60 * 60 / 60, rel=0.05)
    assert trend.over_km == pytest.approx(10.0, abs=0.1)
    assert "km" in trend.basis
    assert "min" in trend.basis


def test_no_trend_on_too_little_road() -> None:
    history = GapHistory(window_km=10.0, min_km=2.0)
    for i in range(20):
        history.add(T0 + 6 * i, 100 - i * 0.075, 60 + i)
    assert history.trend() is None


def test_catch_point_is_counted_from_the_chasers() -> None:
    catch = project_catch(60.0, behind_km_to_finish=50.0, closing_s_per_10km=-30.0, over_km=8)
    assert catch is not None
    assert catch.km_to_finish == 30.0
    assert catch.basis == "−30 s/10 km over 8 km"
    late = project_catch(60.0, behind_km_to_finish=15.0, closing_s_per_10km=-30.0, over_km=8)
    assert late is not None
    assert late.km_to_finish is None
    assert project_catch(60.0, 50.0, -0.5, 8) is None


def test_break_closing_shows_its_catch_point() -> None:
    race = new_race()
    bunch = {b: (101.5, 48.0) for b in range(2, 26)}
    situation = ride(race, steady(0, 700, 6, {1: (100.0, 42.0)} | bunch))
    _head, peloton = situation.groups
    assert peloton.trend_s_per_10km is not None
    assert peloton.trend_s_per_10km < -10
    assert peloton.catch is not None
    assert peloton.catch.km_to_finish is not None
    # Where the lines meet: 1.5 km + (48-42) km/h closing on the break.
    t_catch = 1.5 / (48 - 42) * 3600
    expected = 100.0 - 42 * t_catch / 3600
    assert peloton.catch.km_to_finish == pytest.approx(expected, abs=4)
    assert "s/10 km over" in peloton.catch.basis
