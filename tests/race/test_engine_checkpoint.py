"""The engine's state can be saved and restored mid-stage (the time machine's checkpoints): a
pickled or deep-copied `Race` goes on exactly as the original did."""

from __future__ import annotations

import copy
import pickle

from race.engine import Race
from race.models import Telemetry
from race.situation import Situation
from tests.support.stages import stage_events, stage_run


def _rest_of_stage(race: Race, start: int) -> tuple[list[tuple[float, Situation]], Situation]:
    """The situations of the rest of the flat stage from event `start`, kept as `stage_run`
    keeps them (telemetry frames once the race has started), and the last one."""
    kept: list[tuple[float, Situation]] = []
    situation = race.situation
    for event in stage_events("flat")[start:]:
        situation = race.apply(event)
        if isinstance(event, Telemetry) and situation.race_time_s is not None:
            kept.append((event.t, situation))
    return kept, situation


def test_a_restored_engine_goes_on_as_the_original_did() -> None:
    run = stage_run("flat")
    assert run.checkpoint is not None
    start, saved = run.checkpoint
    restored = pickle.loads(saved)
    twin = copy.deepcopy(restored)
    kept, last = _rest_of_stage(restored, start)
    # The original's situations after the checkpoint are the last ones it kept.
    assert len(kept) > 100
    assert kept == run.situations[-len(kept) :]
    assert last == run.last
    assert last.winner_finished
    # The copy was made before the restored engine went on: it starts again from the
    # checkpoint, where the original was, and it too goes on as the original did.
    before = run.situations[-len(kept) - 1][1]
    assert twin.situation == before
    assert _rest_of_stage(twin, start) == (kept, last)
