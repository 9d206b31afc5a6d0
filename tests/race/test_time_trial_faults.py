"""A made-up time trial through two faults of real feeds: a rider who abandons on the course
whose device then rides the following car to the line, and frames stamped ten minutes ahead.
Each rider rides 20 km at 50 km/h (1,440 s), starting a minute after the one before; rider 8
is the fastest, at 52 km/h."""

from __future__ import annotations

from race.engine import Race
from race.models import RaceNews
from race.situation import Situation
from tests.support.frames import T0, frame, start_list
from tests.support.stages import engine_settings

DISTANCE = 20.0
STARTS = {b: (60.0 * (b - 1), 52.0 if b == 8 else 50.0) for b in range(1, 9)}
QUITTER = 3
ABANDON_T = 900  # Rider 3 at 10 km to go.
CAR_KMH = 65.0


def _trial(*, abandon: bool = False, ahead_at: int | None = None) -> Situation:
    race = Race(engine_settings())
    race.apply(start_list(stage_type="itt", distance=DISTANCE))
    situation = race.situation
    for t in range(0, 2200, 5):
        if abandon and t == ABANDON_T:
            news = RaceNews(t=T0 + t, category="abandon", text="#3 abandons", riders=(QUITTER,))
            race.apply(news)
        kms = {}
        for b, (s0, kmh) in STARTS.items():
            km = DISTANCE - kmh * (t - s0) / 3600
            if abandon and b == QUITTER and t > ABANDON_T:
                km = DISTANCE - 50.0 * (ABANDON_T - s0) / 3600 - CAR_KMH * (t - ABANDON_T) / 3600
            if t >= s0 and km > 0.05:
                kms[b] = round(km, 2)
        sent = frame(t, kms, speed_kmh={b: 50.0 for b in kms})
        if ahead_at is not None and ahead_at <= t < ahead_at + 15:
            sent = sent.model_copy(update={"t": sent.t + 600})
        situation = race.apply(sent)
    return situation


def test_a_rider_who_abandoned_sets_no_time_whatever_his_device_does() -> None:
    untouched, abandoned = _trial(), _trial(abandon=True)
    assert untouched.time_trial is not None
    assert abandoned.time_trial is not None
    assert abandoned.time_trial.best == untouched.time_trial.best == 8
    assert abandoned.time_trial.best_time_s == untouched.time_trial.best_time_s
    assert QUITTER not in {b for g in abandoned.groups for b in g.riders}
    assert abandoned.time_limit.cut_s == untouched.time_limit.cut_s


def test_frames_stamped_ahead_on_a_time_trial_are_set_aside() -> None:
    untouched, ahead = _trial(), _trial(ahead_at=700)
    assert ahead.frames_dropped == 3
    assert ahead.time_trial is not None
    assert ahead.time_trial.finished == 8
    assert [(g.riders, g.gap_s) for g in ahead.groups] == [
        (g.riders, g.gap_s) for g in untouched.groups
    ]
