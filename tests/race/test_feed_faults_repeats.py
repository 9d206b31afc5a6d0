"""A rider's last fix sent again, or his km to go stuck while he rides, on made-up frames: the
Race Center repeats a fix for a frame now and then, a device that stops updating would repeat
it for good, and a rider off the route's trace keeps the km where he left it. None of them is
the rider stopping; a rider who really stops, or turns back, is still seen doing it."""

from __future__ import annotations

import pytest

from race.engine import Race
from race.situation import Situation
from race.tracking.geometry import KM_PER_DEGREE
from race.tracking.tracks import RiderTrack, frozen
from tests.support.frames import frame
from tests.support.routed_race import (
    FIELD,
    KMH,
    break_and_bunch,
    located,
    on_route,
    racing,
    routed_race,
)

RIDER = 12
"""A rider of the bunch (rider 1 is two minutes ahead alone)."""


def bunch_at(t: float) -> dict[int, float]:
    return break_and_bunch(100.0 - KMH * t / 3600)


def play(race: Race, start_s: float, end_s: float, rider_km: float | None) -> list[Situation]:
    """Every rider riding on, but `RIDER`'s last fix (at `rider_km`) sent again in each frame
    (None: his own fixes)."""
    seen = []
    for t in range(int(start_s), int(end_s) + 1, 6):
        kms = bunch_at(t) | ({RIDER: rider_km} if rider_km is not None else {})
        seen.append(race.apply(located(t, kms)))
    return seen


def test_one_fix_sent_again_leaves_the_rider_in_his_group() -> None:
    race = routed_race()
    racing(race, 0, 300, bunch_at(0))
    situation = play(race, 306, 306, bunch_at(300)[RIDER])[-1]
    assert [g.size for g in situation.groups] == [1, 29]
    assert situation.groups[1].gap_s == pytest.approx(120, abs=1.5)


def test_a_fix_sent_again_for_twenty_minutes_never_drops_the_rider() -> None:
    race = routed_race()
    racing(race, 0, 300, bunch_at(0))
    seen = play(race, 306, 1500, bunch_at(300)[RIDER])
    for situation in seen:
        assert all(g.gap_s is None or g.gap_s < 125 for g in situation.groups)
        assert not [a for a in situation.alerts if a.kind.startswith("time_limit")]
    # His own fixes again: back in the bunch.
    back = play(race, 1506, 1560, None)[-1]
    assert [g.size for g in back.groups] == [1, 29]


def test_a_rider_who_stops_is_still_seen_stopping() -> None:
    """His fixes stay at one km, but his GPS position moves by a few centimetres, as a real
    receiver's does, and his speed is 0: he has stopped (a crash, a wheel change)."""
    race = routed_race()
    racing(race, 0, 300, bunch_at(0))
    km = bunch_at(300)[RIDER]
    lat, lon = on_route(km)
    situation = race.situation
    for n, t in enumerate(range(306, 906, 6)):
        kms = bunch_at(t) | {RIDER: km}
        lats = {b: on_route(k)[0] for b, k in kms.items()} | {RIDER: lat + (n % 3) * 1e-7}
        situation = race.apply(
            frame(
                t,
                kms,
                speed_kmh={b: (0.0 if b == RIDER else KMH) for b in FIELD},
                lat=lats,
                lon={b: lon if b == RIDER else on_route(k)[1] for b, k in kms.items()},
            )
        )
    last = situation.groups[-1]
    assert last.riders == (RIDER,)
    assert last.gap_s is not None
    assert last.gap_s > 120 + 500  # Ten minutes stopped.


@pytest.mark.parametrize("speeds", [True, False], ids=["his speed", "no speeds: his position"])
def test_a_position_frozen_while_the_rider_rides_keeps_him_in_his_group(speeds: bool) -> None:
    """A km to go stuck (the Pau stage, 10.45 km to go, riders off the route's trace): it
    creeps by a step or none for 48 s while his own speed says 45 km/h (or, in a feed without
    speeds, while his GPS position rides on with the bunch), then jumps to where he is. He
    stays in his group at its gap, and is back on his own fixes after the jump."""
    race = routed_race()
    racing(race, 0, 300, bunch_at(0))
    stuck = bunch_at(300)[RIDER]
    seen = []
    for n, t in enumerate(range(306, 355, 6)):
        riding = bunch_at(t)
        kms = riding | {RIDER: round(stuck - 0.01 * (n // 3), 2)}
        if speeds:
            seen.append(race.apply(located(t, kms)))
        else:
            lats = {b: on_route(km)[0] for b, km in riding.items()}
            seen.append(race.apply(frame(t, kms, lat=lats, lon={b: LON for b in kms})))
    for situation in seen:
        assert [g.size for g in situation.groups] == [1, 29]
        assert situation.groups[1].gap_s == pytest.approx(120, abs=1.5)
    assert race.situation.riders_tracked == len(FIELD)
    after = play(race, 360, 366, None)[-1]
    assert [g.size for g in after.groups] == [1, 29]
    assert after.groups[1].gap_s == pytest.approx(120, abs=1.5)


LAT, LON = on_route(50.0)
"""Where his last fix put him (the test route runs north)."""


def riding_track(kmh: float) -> RiderTrack:
    """A rider at km 50.0 at t=120, who rode the two minutes before at `kmh`."""
    track = RiderTrack(bib=RIDER, t=120.0, km=50.0, lat=LAT, lon=LON)
    for t in range(0, 121, 6):
        track.path.add(t, 50.0 + kmh * (120 - t) / 3600)
    return track


def north_of_him(metres: float) -> float:
    """The latitude `metres` further along the route than his last fix."""
    return LAT + metres / 1000 / KM_PER_DEGREE


@pytest.mark.parametrize(
    ("km", "reported_kmh", "t", "stuck"),
    [
        (50.0, 45.0, 126.0, True),  # Not a metre in 6 s at 45 km/h.
        (49.99, 45.0, 126.0, True),  # One step of the feed's 10 m.
        (50.01, 45.0, 126.0, True),  # One step back: the step's own rounding.
        (49.96, 45.0, 126.0, False),  # 40 m in 6 s: 24 km/h, half his speed.
        (50.04, 45.0, 126.0, False),  # 40 m back: he turned back, or his GPS drifted.
        (50.0, 10.0, 126.0, False),  # His device says he slowed to a stop.
        (50.0, 45.0, 150.0, False),  # 30 s since: he may have stopped and ridden off.
    ],
)
def test_a_km_to_go_is_stuck_only_when_both_speeds_say_he_rides_on(
    km: float, reported_kmh: float, t: float, stuck: bool
) -> None:
    assert frozen(riding_track(45.0), km, reported_kmh, None, None, t) is stuck


def test_a_field_standing_still_is_not_stuck() -> None:
    """At the start or at a neutralisation, his own road says he stands, whatever his device."""
    assert not frozen(riding_track(5.0), 50.0, 45.0, None, None, 126.0)


@pytest.mark.parametrize(
    ("km", "metres", "stuck"),
    [
        (50.0, 75.0, True),  # His position went 75 m in 6 s (45 km/h), his km not a metre.
        (50.0, 5.0, False),  # 5 m: a receiver's noise, or a rider stopping.
        (49.98, 75.0, False),  # Two steps: without a speed, only a km that did not move.
    ],
)
def test_without_a_speed_his_gps_position_says_whether_he_rides(
    km: float, metres: float, stuck: bool
) -> None:
    """A feed without speeds (or with speeds not used: `race.tracking.speeds`)."""
    lat = north_of_him(metres)
    assert frozen(riding_track(45.0), km, None, lat, LON, 126.0) is stuck


def test_without_a_speed_or_a_position_nothing_is_judged() -> None:
    assert not frozen(riding_track(45.0), 50.0, None, None, None, 126.0)
