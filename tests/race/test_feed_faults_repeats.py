"""A rider's last fix sent again, on made-up frames: the Race Center repeats a fix for a frame
now and then, and a device that stops updating would repeat it for good. Neither is the
rider stopping; a rider who really stops is still seen stopping."""

from __future__ import annotations

import pytest

from race.engine import Race
from race.situation import Situation
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
