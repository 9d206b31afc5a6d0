"""The engine's own numbers checked: numbers no race can produce are flagged, riders level at
the last fix make the winner a guess, a start that cannot be right gives no cut and says so.
"""

from __future__ import annotations

from race.sanity import implausible
from race.situation import TimeLimit
from race.tracking.tracks import RiderTrack
from tests.support.frames import ride, steady
from tests.support.routed_race import FIELD, KMH, break_and_bunch, racing, routed_race


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
