"""Frames whose time the riders' moves do not bear out (`race.tracking.stamps`), on made-up
frames: a run stamped ahead, a stamp stuck while the riders ride, and a race that really did
something else during a hole, which is followed once the frames after it agree."""

from __future__ import annotations

import pytest

from race.tracking.stamps import RUN_S
from tests.support.frames import T0
from tests.support.routed_race import KMH, break_and_bunch, located, racing, routed_race

BUNCH_GAP_S = 1.5 / KMH * 3600  # The lone leader 1.5 km ahead: two minutes.


def _ridden(t: float) -> dict[int, float]:
    return break_and_bunch(100.0 - KMH * t / 3600)


@pytest.mark.parametrize(
    ("frames", "ahead_s"),
    [(1, 600.0), (2, 7200.0), (3, 600.0), (4, 7200.0), (8, 600.0)],
    ids=["one 10 min ahead", "two 2 h ahead", "three 10 min ahead", "four 2 h ahead", "eight"],
)
def test_frames_stamped_ahead_of_the_road_are_set_aside(frames: int, ahead_s: float) -> None:
    race = routed_race()
    racing(race, 0, 300, _ridden(0))
    for i in range(frames):
        t = 306 + 6 * i
        race.apply(located(t, _ridden(t)).model_copy(update={"t": T0 + t + ahead_s}))
    after = 306 + 6 * frames
    situation = racing(race, after, 600, _ridden(after))
    assert situation.frames_dropped == frames
    assert situation.t == T0 + 600
    assert [g.size for g in situation.groups] == [1, 29]
    assert situation.groups[1].gap_s == pytest.approx(BUNCH_GAP_S, abs=2)
    assert situation.head_km_to_finish == pytest.approx(_ridden(600)[1], abs=0.02)


def test_a_stamp_stuck_while_the_riders_ride_is_set_aside() -> None:
    """Six frames stamped at one instant while the riders ride 36 s of road: the riders are
    held where the first put them, none of the head's road is piled onto that instant."""
    race = routed_race()
    racing(race, 0, 300, _ridden(0))
    for t in range(306, 342, 6):
        situation = race.apply(located(t, _ridden(t)).model_copy(update={"t": T0 + 306}))
        assert situation.groups[1].gap_s == pytest.approx(BUNCH_GAP_S, abs=2)
    situation = racing(race, 342, 600, _ridden(342))
    assert situation.frames_dropped == 5
    assert situation.groups[1].gap_s == pytest.approx(BUNCH_GAP_S, abs=2)
    assert [a.kind for a in situation.alerts if a.kind.startswith("gap")] == []


def test_a_race_that_stopped_during_a_hole_is_followed_once_the_frames_agree() -> None:
    """A hole of 570 s in which the race rode 1 km (it stopped): the frames after it are held
    until they have agreed with each other for `RUN_S` of their own time, then applied in
    order; none is lost."""
    race = routed_race()
    racing(race, 0, 300, _ridden(0))
    restart = 870
    resumed = {b: km - 1.0 for b, km in _ridden(300).items()}
    for t in range(restart, restart + int(RUN_S) + 30, 6):
        kms = {b: km - KMH * (t - restart) / 3600 for b, km in resumed.items()}
        situation = race.apply(located(t, kms))
        if t - restart < RUN_S:
            assert situation.t == T0 + 300  # Held: the road does not bear the time out yet.
        else:
            assert situation.t == T0 + t
    assert situation.frames_dropped == 0
    assert [g.size for g in situation.groups] == [1, 29]
