"""What real feeds do to a rider's place, on made-up frames: ghost fixes (even at the head, even
of a lone head rider), resyncs, a lone head rider missing for a few frames. Each fault is
checked against what the engine should make of it.
"""

from __future__ import annotations

import pytest

from race.tracking.trajectory import Trajectory
from tests.support.frames import DISTANCE
from tests.support.routed_race import KMH, break_and_bunch, located, racing, routed_race


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


def test_the_lone_head_rider_back_after_he_was_no_longer_held_is_no_new_break() -> None:
    """Missing for longer than `hold_missing_s` (90 s), he is no longer placed; back, he is the
    break announced before, not a new one, and he was never caught."""
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(DISTANCE - 3.0))
    for t in range(306, 456, 6):  # two and a half minutes without him
        kms = break_and_bunch((DISTANCE - 3.0) - KMH * t / 3600)
        race.apply(located(t, {b: km for b, km in kms.items() if b != 1}))
    situation = racing(race, 456, 900, break_and_bunch((DISTANCE - 3.0) - KMH * 456 / 3600))
    kinds = [a.kind for a in situation.alerts]
    assert kinds.count("break_formed") == 1
    assert "break_caught" not in kinds


def test_in_the_frame_of_a_ghost_of_the_lone_head_rider_the_gaps_hold() -> None:
    """His fix set aside, he is where his pace has taken him: the head of the race is not the
    bunch for that frame (a bunch at +0:00, then back at +2:00, would be a gap's trend)."""
    race = routed_race()
    racing(race, 0, 300, break_and_bunch(100.0))
    kms = break_and_bunch(100.0 - KMH * 306 / 3600)
    situation = race.apply(located(306, kms | {1: kms[1] - 6.0}))
    assert situation.head_rider == 1
    assert [g.gap_s for g in situation.groups] == pytest.approx([0.0, 120.0], abs=1.5)
