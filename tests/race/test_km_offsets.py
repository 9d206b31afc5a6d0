"""A rider's km to go sent offset from where his GPS fix lies on the route (a second timing
source, a map-matching on the wrong stretch of road): the fix says where he is
(`race.tracking.offsets`). On the made-up stage's straight route, at 45 km/h."""

from __future__ import annotations

import pytest

from race.engine import Race
from race.models import Telemetry
from race.situation import Situation
from tests.support.routed_race import KMH, break_and_bunch, located, routed_race

START_KM = 60.0


def ride(
    race: Race, start_s: int, end_s: int, offsets: dict[int, float], *, on_route: bool = True
) -> Situation:
    """Rider 1 two minutes ahead of the bunch; the riders of `offsets` sent that many km
    further back than their fixes (off the route, 800 m east, with `on_route` False)."""
    situation = race.situation
    for t in range(start_s, end_s, 6):
        true = break_and_bunch(START_KM - KMH * t / 3600.0)
        frame = located(float(t), true)
        riders = tuple(
            fix.model_copy(
                update={"km_to_finish": round(true[fix.bib] + offsets[fix.bib], 3)}
                | ({} if on_route else {"lon": 0.01})
            )
            if fix.bib in offsets
            else fix
            for fix in frame.riders
        )
        situation = race.apply(Telemetry(t=frame.t, riders=riders))
    return situation


def said(situation: Situation) -> list[str]:
    return [a.text for a in situation.alerts if a.kind == "feed_km_offset"]


def test_the_head_sent_800_m_back_is_placed_from_his_gps() -> None:
    race = routed_race()
    ride(race, 0, 120, {})
    situation = ride(race, 120, 600, {1: 0.8})
    head, bunch = situation.groups
    assert head.riders == (1,)
    assert bunch.gap_s == pytest.approx(120.0, abs=1.0)  # Not 56 s.
    assert situation.head_km_to_finish == pytest.approx(START_KM - 1.5 - KMH * 594 / 3600, abs=0.02)
    assert said(situation) == [
        "Feed: F. R1's km to go puts him 0.8 km behind where his GPS is on the route: "
        "placed from his GPS"
    ]
    situation = ride(race, 600, 700, {})
    assert said(situation)[1:] == ["Feed: F. R1's km to go agrees with his GPS again"]
    assert situation.groups[1].gap_s == pytest.approx(120.0, abs=1.0)


def test_a_rider_of_the_bunch_is_found_at_once_by_his_jump() -> None:
    """His km to go jumps back 500 m when the offset begins: checked at the next frame and
    placed from his fix, not when his turn comes."""
    race = routed_race()
    ride(race, 0, 120, {})
    ride(race, 120, 138, {17: 0.5})
    for t in range(138, 600, 6):
        situation = ride(race, t, t + 1, {17: 0.5})
        assert [len(group.riders) for group in situation.groups] == [1, 29], t
    assert len(said(situation)) == 1


def test_the_head_sent_3_km_back_is_placed_from_his_gps_from_the_next_frame() -> None:
    """Further than the fix is usually looked for: as far as his km to go jumped. The jump and
    the fix agreeing on the offset, he is placed from the frame after the jump: the bunch's gap
    never moves, and the head is never among the groups behind."""
    race = routed_race()
    ride(race, 0, 120, {})
    ride(race, 120, 126, {1: 3.0})  # The jump: set aside by the field, asked about.
    for t in range(126, 600, 6):
        situation = ride(race, t, t + 1, {1: 3.0})
        head, bunch = situation.groups
        assert head.riders == (1,), t
        assert bunch.gap_s == pytest.approx(120.0, abs=1.0), t
    assert said(situation) == [
        "Feed: F. R1's km to go puts him 3.0 km behind where his GPS is on the route: "
        "placed from his GPS"
    ]


def test_an_offset_beginning_in_a_hole_of_the_feed_is_found_from_its_first_frame() -> None:
    """36 s without a frame, the head's km to go 3 km back after it: his jump is measured from
    where his speed put him (not from his last km to go, 450 m further back), and agrees with
    his fix at once."""
    race = routed_race()
    ride(race, 0, 120, {})
    for t in range(156, 600, 6):
        situation = ride(race, t, t + 1, {1: 3.0})
        head, bunch = situation.groups
        assert head.riders == (1,), t
        assert bunch.gap_s == pytest.approx(120.0, abs=1.0), t
    assert len(said(situation)) == 1


@pytest.mark.parametrize("bib", [1, 7])
def test_an_offset_there_from_the_feeds_first_frame_is_found(bib: int) -> None:
    """Ardoise started with the race under way, a rider's km to go already 800 m back: no jump
    to ask about, no deviation of his own to measure from. Measured from the usual difference,
    the head (checked each frame) and a rider of the bunch (in turn) are found."""
    race = routed_race()
    situation = ride(race, 0, 600, {bib: 0.8})
    assert [len(group.riders) for group in situation.groups] == [1, 29]
    assert situation.groups[1].gap_s == pytest.approx(120.0, abs=1.0)
    assert said(situation) == [
        f"Feed: F. R{bib}'s km to go puts him 0.8 km behind where his GPS is on the route: "
        "placed from his GPS"
    ]


def test_a_rider_found_off_is_found_back_on_a_coarse_feed() -> None:
    """His km sent 800 m back, then right again but in 100 m steps: within what the step may
    have rounded, his km is not judged, but he is found back (he would stay placed from his
    fix, and a later offset, looked for near his old place, would not be found)."""
    race = routed_race()
    ride(race, 0, 120, {})
    ride(race, 120, 300, {1: 0.8})
    for t in range(300, 600, 6):
        true = break_and_bunch(START_KM - KMH * t / 3600.0)
        frame = located(float(t), true)
        riders = tuple(
            fix.model_copy(update={"km_to_finish": round(true[fix.bib], 1)}) for fix in frame.riders
        )
        situation = race.apply(Telemetry(t=frame.t, riders=riders))
    assert said(situation)[1:] == ["Feed: F. R1's km to go agrees with his GPS again"]
    assert situation.groups[1].gap_s == pytest.approx(120.0, abs=1.0)


def test_a_fix_off_the_route_says_nothing() -> None:
    """A fix 800 m from the road is no place on it: the feed's km to go stands."""
    race = routed_race()
    situation = ride(race, 0, 600, {1: 0.8}, on_route=False)
    assert said(situation) == []
    assert situation.groups[1].gap_s == pytest.approx(120.0 - 0.8 / KMH * 3600, abs=1.0)


def test_one_frame_off_is_not_enough() -> None:
    race = routed_race()
    ride(race, 0, 120, {})
    ride(race, 120, 126, {1: 0.8})
    situation = ride(race, 126, 300, {})
    assert said(situation) == []


def test_a_slow_drift_is_no_offset() -> None:
    """The route's trace cutting a climb's hairpins: the head's km to go and his fix's place
    drift apart slowly (here 600 m over 8 minutes), never at once. No rider is moved."""
    race = routed_race()
    ride(race, 0, 120, {})
    for t in range(120, 600, 6):
        situation = ride(race, t, t + 1, {1: 0.6 * (t - 120) / 480})
    assert said(situation) == []
    sent = START_KM - 1.5 - KMH * 594 / 3600 + 0.6 * 474 / 480  # The feed's, as sent.
    assert situation.head_km_to_finish == pytest.approx(sent, abs=0.02)
