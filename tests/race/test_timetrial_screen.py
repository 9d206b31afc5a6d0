"""The time trial as the screen shows it: riders on course, finished and to start; gaps only
on comparable splits; the cut from the first finish; riders, not groups."""

from __future__ import annotations

import re

from race.situation import Situation
from race.timetrial.splits import COMPARABLE_FROM_KM
from race.wording import counted
from tests.support.recordings import recording_run
from tests.support.stages import STAGE_16, needs_stage_16
from tui.panels.gaps import gap_lines
from tui.panels.header import race_status_line, trial_counts
from tui.panels.timelimit import time_limit_lines
from tui.panels.view import ViewContext


def _situations() -> list[Situation]:
    """The situation after each frame (the shared run of the recording)."""
    return [situation for _, situation in recording_run(STAGE_16).frames()]


@needs_stage_16
def test_the_time_trial_on_stage_16() -> None:
    situations = _situations()
    distance = situations[-1].stage.distance_km  # type: ignore[union-attr]
    before_first_finish = [s for s in situations if s.time_trial and s.time_trial.best is None]
    assert before_first_finish
    for situation in before_first_finish:
        assert "from the first finish" in situation.time_limit.basis
        assert "waiting for the race to start" not in situation.time_limit.basis
    rows = 0
    for situation in situations:
        trial = situation.time_trial
        assert trial is not None
        # Never "0.1 km to go": where the riders are.
        status = race_status_line(situation, ViewContext(width=80)).plain
        assert status.startswith(trial_counts(trial))
        assert "km to go" not in status
        # The feed began with riders out on the course: the riders it never saw may have
        # finished before; the count is a bound.
        assert trial.to_start_bound
        assert trial.to_start is not None
        assert trial.to_start <= len(situation.roster.riders)
        for group in situation.groups:
            if not group.finished:
                rows += 1
                assert distance - group.km_to_finish >= COMPARABLE_FROM_KM - 0.01
    assert rows > 10_000
    just_started = sum(s.time_trial.without_split for s in situations if s.time_trial)
    assert just_started > 0
    mid = next(s for s in situations if s.time_trial and s.time_trial.finished >= 50)
    lines = [ln.plain for ln in time_limit_lines(mid)]
    assert any("riders safe" in text for text in lines)
    assert not any("groups safe" in text for text in lines)
    # A rider's row is named once: "A. Gate", not "A. Gate (A. Gate)".
    said = [a.text for a in situations[-1].alerts if a.text.startswith("Time limit")]
    assert not any(re.search(r"(\w\. [\w' -]+?) \(\1\)", text) for text in said)


@needs_stage_16
def test_early_gaps_are_on_measured_splits_only() -> None:
    """A rider just out of the start house is not "−4:24" against a leader first seen 4 km
    from the line: before the leader was seen there, the reference is the best of the others
    who were, and no trend mixes the two."""
    for situation in _situations():
        for group in situation.groups:
            if not group.finished:
                assert group.gap_s > -300, (group.name, group.km_to_finish, group.gap_s)


@needs_stage_16
def test_riders_on_course_before_any_comparable_split_are_counted_not_untracked() -> None:
    """The recording's first frames: riders out on the course, none at a split another time
    can be compared at yet. The panel counts them; it never says that nobody is tracked."""
    early = [s for s in _situations() if not s.groups]
    assert early
    for situation in early:
        trial = situation.time_trial
        assert trial is not None
        assert trial.on_course
        rows = [row.plain for row in gap_lines(situation, None, wide=True)]
        assert rows[0].startswith("Time trial")
        assert (
            f"{counted(trial.without_split, 'rider')} on course without a comparable split yet"
            in rows
        )
        assert "No rider tracked" not in rows
