"""The engine on a made-up time trial: each rider against the best time at the same point on
the course, one rider to a row, the fastest at the head once he has finished.
"""

from __future__ import annotations

import pytest

from race.engine import Race
from tests.support.frames import frame, start_list
from tests.support.stages import engine_settings


def test_time_trial_riders_against_the_leader_at_the_same_point() -> None:
    race = Race(engine_settings())
    race.apply(start_list(stage_type="itt", distance=20.0))
    situation = race.situation
    # Rider 1 starts at 0 at 50 km/h; rider 2 at 120 s at 48 km/h; rider 3 at 240 s, 52 km/h.
    starts = {1: (0.0, 50.0), 2: (120.0, 48.0), 3: (240.0, 52.0)}
    for t in range(0, 1900, 5):
        kms = {
            b: round(20.0 - kmh * (t - s0) / 3600, 2)
            for b, (s0, kmh) in starts.items()
            if t >= s0 and 20.0 - kmh * (t - s0) / 3600 > 0.05
        }
        situation = race.apply(frame(t, kms, speed_kmh={b: 50.0 for b in kms}))
        if t == 1600:
            mid = situation
    trial = mid.time_trial
    assert trial is not None
    assert trial.best == 1
    assert trial.best_time_s == pytest.approx(1440, abs=6)
    on_course = {g.riders[0]: g for g in mid.groups if not g.finished}
    # Rider 3 at 1600 s: 19.64 km covered... he is faster than rider 1 by 4 %.
    three = on_course[3]
    covered = 20.0 - three.km_to_finish
    expected = covered / 52 * 3600 - covered / 50 * 3600
    assert three.gap_s == pytest.approx(expected, abs=3)
    final = situation.time_trial
    assert final is not None
    assert final.best == 3
    assert [g.riders for g in situation.groups] == [(3,), (1,), (2,)]
    assert situation.groups[0].kind == "head"
    assert situation.groups[0].name == "F. R3"
    assert all(g.size == 1 for g in situation.groups)
    assert situation.time_limit.winner_speed_kmh == pytest.approx(52, abs=1)
