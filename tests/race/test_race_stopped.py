"""The whole race standing (a neutralisation), on made-up frames: its time is in no gap, no
race time and no winner's time; a crash stopping the bunch, or the head alone standing, is no
stop of the race (`race.tracking.stops`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pytest

from race.engine import Race
from race.situation import Situation
from tests.support.frames import T0, frame
from tests.support.routed_race import FIELD, KMH, break_and_bunch, on_route, routed_race

GAP_S = 1.5 / KMH * 3600  # The lone leader 1.5 km ahead of the bunch: two minutes.
STOP = (400, 1000)  # Feed seconds when the riders stopping stand.
START_KM = break_and_bunch(100.0)


def _stage(
    stopping: Collection[int],
    stop: tuple[int, int] = STOP,
    end: int = 1800,
    *,
    missing: Mapping[int, tuple[int, int]] | None = None,
    start_km: Mapping[int, float] = START_KM,
) -> tuple[Race, list[Situation]]:
    """The break and the bunch at 45 km/h from T0, `stopping` standing through `stop`, each
    rider in `missing` left out of the frames in his span; frames every 6 s, each device's
    speed its rider's, his GPS on the route with a metre of noise (a standing device's fix is
    never the same to the last digit)."""
    race = routed_race()
    out = []
    for t in range(0, end + 1, 6):
        stood = {b: max(0, min(t, stop[1]) - stop[0]) if b in stopping else 0 for b in FIELD}
        kms = {b: max(start_km[b] - KMH * (t - stood[b]) / 3600, 0.0) for b in FIELD}
        for bib, (since, until) in (missing or {}).items():
            if since <= t < until:
                del kms[bib]
        standing = {b: stop[0] <= t <= stop[1] and b in stopping for b in FIELD}
        noise = 1e-5 * ((t // 6) % 3 - 1)
        out.append(
            race.apply(
                frame(
                    t,
                    kms,
                    speed_kmh={b: 0.0 if standing[b] else KMH for b in kms},
                    lat={b: on_route(km)[0] + noise for b, km in kms.items()},
                    lon={b: on_route(km)[1] for b, km in kms.items()},
                )
            )
        )
    return race, out


def _at(situations: list[Situation], t: float) -> Situation:
    return next(s for s in situations if s.t == T0 + t)


def _said(situation: Situation) -> list[str]:
    kinds = ("race_stopped", "race_goes_on", "feed_speeds")
    return [a.kind for a in situation.alerts if a.kind in kinds]


def test_a_neutralised_race_keeps_its_gaps_and_its_time() -> None:
    _, stopped = _stage(FIELD)
    _, ridden = _stage(FIELD, stop=(400, 400))
    # Said once the head and the field have stood about a minute; the gaps then as they were.
    assert _said(_at(stopped, 432)) == []
    late = _at(stopped, 990)
    assert _said(late) == ["race_stopped"]
    assert [g.size for g in late.groups] == [1, len(FIELD) - 1]
    assert late.groups[1].gap_s == pytest.approx(GAP_S, abs=2)
    # After the restart, the bunch passes where the head stood before the stop: the stop
    # is no part of its gap, nor of the race's time.
    for t in range(1020, 1800, 60):
        assert _at(stopped, t).groups[1].gap_s == pytest.approx(GAP_S, abs=2)
    end, control = stopped[-1], ridden[-1]
    # The devices saying 0 while the minute's road still moves are the riders' speeds.
    assert _said(end) == ["race_stopped", "race_goes_on"]
    assert end.race_time_s is not None
    assert control.race_time_s is not None
    assert end.race_time_s == pytest.approx(control.race_time_s - (STOP[1] - STOP[0]), abs=7)
    assert control.head_km_to_finish is not None
    stood_km = (STOP[1] - STOP[0]) * KMH / 3600
    assert end.head_km_to_finish == pytest.approx(control.head_km_to_finish + stood_km, abs=0.05)


def test_a_crash_stopping_the_bunch_is_time_it_loses() -> None:
    """The bunch stands two minutes while the break rides on: no stop of the race, the bunch
    is two minutes further behind."""
    _, situations = _stage(set(FIELD) - {1}, stop=(400, 520))
    assert all(_said(s) == [] for s in situations)
    assert situations[-1].groups[1].gap_s == pytest.approx(GAP_S + 120, abs=3)


def test_the_head_alone_standing_is_no_stop() -> None:
    """The lone leader stands 90 s (a puncture) while the bunch rides on."""
    _, situations = _stage({1}, stop=(400, 490))
    assert all(_said(s) == [] for s in situations)
    assert situations[-1].groups[1].gap_s == pytest.approx(GAP_S - 90, abs=3)


def test_the_head_missing_during_a_stop_stands_with_it() -> None:
    """The lone leader missing from the frames 30 s while the race stands, and a bunch rider
    missing 84 s: the stop goes on (a lost head is not placed at its pace while the race
    stands), the gaps and the bunch's place are as they were."""
    _, stopped = _stage(FIELD, missing={1: (700, 730), 15: (600, 684)})
    for t in (606, 690, 726, 756, 990):
        situation = _at(stopped, t)
        assert _said(situation) == ["race_stopped"]
        assert situation.head_km_to_finish == pytest.approx(_at(stopped, 600).head_km_to_finish)
        assert situation.groups[1].gap_s == pytest.approx(GAP_S, abs=2)
        assert situation.groups[1].km_to_finish == pytest.approx(START_KM[2] - 5.0, abs=0.02)
    assert _said(stopped[-1]) == ["race_stopped", "race_goes_on"]


def test_a_stage_stopped_has_one_winners_time() -> None:
    """Stopped five minutes 4 km from the line: the result's times, the time limit's winner's
    time and the race time all leave the stop out."""
    near = {b: km - 94.0 for b, km in START_KM.items()}
    race, stopped = _stage(FIELD, stop=(120, 420), end=900, start_km=near)
    _, ridden = _stage(FIELD, stop=(120, 120), end=900, start_km=near)
    end, control = stopped[-1], ridden[-1]
    assert end.winner == control.winner == 1
    results = race.results()
    assert results is not None
    assert results.places[0].time_s == pytest.approx(end.time_limit.winner_time_s, abs=0.1)
    assert end.time_limit.winner_time_s == pytest.approx(control.time_limit.winner_time_s, abs=7)
