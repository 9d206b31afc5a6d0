"""Situations the app and snapshot tests share, each from one pass over its stage per session.

The reference stages' situations at km marks are in `tests.support.stages`; these are the ones
only the screen's tests need.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache

from feeds.simulation import scenario_facts
from race.models import Telemetry
from race.settings import TeamSettings
from race.situation import Situation
from tests.support.app import RESUME_KM
from tests.support.engines import held_at
from tests.support.stages import (
    SEED,
    engine_settings,
    flat_at,
    mountain_at,
    stage_events,
    stage_run,
)


@dataclass(frozen=True)
class MyTeamFinale:
    """The flat stage's finale, the team of its scripted wheel loss being "my team"."""

    team: str
    held: Situation
    """What an app held at 1 km to go shows (`ArdoiseApp(hold_at=...)`: every event before
    the first frame after that time)."""
    wheel_lost: Situation
    """The first frame showing the scripted wheel loss."""


@cache
def flat_with_my_team() -> MyTeamFinale:
    loss = scenario_facts("flat", SEED).wheel_loss
    assert loss is not None
    hold_at, _ = flat_at(1.0)
    # Gone on from the engine the app tests start from (`RESUME_KM`): one pass for both.
    start = held_at("flat", RESUME_KM["flat"], engine_settings(team=TeamSettings(code=loss.team)))
    race = copy.deepcopy(start.race)
    held: Situation | None = None
    for event in stage_events("flat")[start.applied :]:
        if held is None and isinstance(event, Telemetry) and event.t > hold_at:
            held = race.situation
        situation = race.apply(event)
        if any(t.team == loss.team and t.status == "lost_wheel" for t in situation.leadout):
            assert held is not None, "the loss showed before 1 km to go"
            return MyTeamFinale(loss.team, held, situation)
    raise AssertionError("the wheel loss never showed")


@dataclass(frozen=True)
class MountainLimit:
    """The mountain stage against the time limit."""

    at_20km: Situation
    """The first frame with the head at 20 km to go (as `tests.support.stages.mountain_at`)."""
    after_winner: Situation
    """The first frame ten minutes after the winner crossed the line, as scripted."""


@cache
def mountain_limit() -> MountainLimit:
    after = scenario_facts("mountain", SEED).winner_finish_t + 600.0
    _, at_20km = mountain_at(20.0)
    after_winner = next(s for t, s in stage_run("mountain").situations if t >= after)
    return MountainLimit(at_20km, after_winner)
