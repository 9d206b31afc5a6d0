"""A rider given two fixes at one instant: the one nearest to where the engine has him is kept
(`race.tracking.doubled`); the whole stage through the `double` quirk is in
`tests/race/test_robustness.py`."""

from __future__ import annotations

from race.models import RiderFix, Telemetry
from race.tracking.doubled import one_fix_each
from race.tracking.tracks import RiderTrack


def frame(*fixes: RiderFix) -> Telemetry:
    return Telemetry(t=100.0, riders=fixes)


def fix(bib: int, km: float | None, lat: float | None = None, lon: float | None = None) -> RiderFix:
    return RiderFix(bib=bib, km_to_finish=km, lat=lat, lon=lon)


def test_a_frame_without_a_second_fix_is_the_same_frame() -> None:
    event = frame(fix(1, 50.0), fix(2, 50.2))
    assert one_fix_each(event, {}) == (event, 0)


def test_the_fix_nearest_to_the_rider_is_kept_whatever_its_place_in_the_frame() -> None:
    tracks = {1: RiderTrack(bib=1, t=94.0, km=50.1)}
    live, stale = fix(1, 50.0), fix(1, 52.0)
    for riders in ((live, fix(2, 49.0), stale), (stale, fix(2, 49.0), live)):
        kept, dropped = one_fix_each(frame(*riders), tracks)
        assert dropped == 1
        assert [f.km_to_finish for f in kept.riders if f.bib == 1] == [50.0]
        assert [f.bib for f in kept.riders] == [riders[0].bib, 2]  # the frame's order stands


def test_without_a_distance_the_gps_fix_tells_them_apart() -> None:
    tracks = {1: RiderTrack(bib=1, t=94.0, km=50.1, lat=43.30, lon=-0.37)}
    near, far = fix(1, None, 43.301, -0.371), fix(1, None, 43.32, -0.37)
    kept, dropped = one_fix_each(frame(far, near), tracks)
    assert (kept.riders, dropped) == ((near,), 1)


def test_a_rider_not_seen_yet_is_missing_when_his_two_fixes_disagree() -> None:
    """Nothing tells which one is right: he is left out of the frame, not put at a guess."""
    kept, dropped = one_fix_each(frame(fix(1, 50.0), fix(1, 52.0), fix(2, 49.0)), {})
    assert [f.bib for f in kept.riders] == [2]
    assert dropped == 2


def test_two_fixes_that_agree_keep_the_first() -> None:
    first, second = fix(1, 50.00), fix(1, 50.01)
    kept, dropped = one_fix_each(frame(first, second), {})
    assert (kept.riders, dropped) == ((first,), 1)
