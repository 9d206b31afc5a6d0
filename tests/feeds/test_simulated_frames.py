"""The simulated stage's frames: the same seed gives the same events in any process, another
seed another race; frames come at the cadence, news among them, the neutralised start first,
km to go on the feed's 10 m steps, riders missing now and then, finishers lingering.

Checked from the raw fixes, never from the simulator's internals.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from feeds.simulation import scenario_facts, simulate
from race.models import Telemetry
from tests.support.simulated_runs import Run
from tests.support.stages import NOISE_M, SEED

pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parents[2]


def test_same_seed_gives_the_same_events(mountain: Run) -> None:
    """The whole stage, GPS noise included, compared through a digest of every event's JSON."""
    again = simulate("mountain", SEED, noise_m=NOISE_M)
    digest = hashlib.sha256()
    for event in again:
        digest.update(event.model_dump_json().encode())
    assert digest.hexdigest() == mountain.digest


def test_same_events_in_another_process() -> None:
    """No dependence on hash randomisation or on what ran before in the process."""
    code = (
        "import hashlib, itertools\n"
        "from feeds.simulation import simulate\n"
        "h = hashlib.sha256()\n"
        "for e in itertools.islice(simulate('mountain', 7), 150):\n"
        "    h.update(e.model_dump_json().encode())\n"
        "print(h.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    here = hashlib.sha256()
    for event in itertools.islice(simulate("mountain", 7), 150):
        here.update(event.model_dump_json().encode())
    assert out.stdout.strip() == here.hexdigest()


def test_another_seed_gives_another_race() -> None:
    a, b = scenario_facts("flat", SEED), scenario_facts("flat", SEED + 1)
    assert (a.break_riders, a.train_order, a.wheel_loss) != (
        b.break_riders,
        b.train_order,
        b.wheel_loss,
    )

    def first_frames(seed: int) -> list[str]:
        events = itertools.islice(simulate("flat", seed), 200)
        return [e.model_dump_json() for e in events]

    assert first_frames(SEED) != first_frames(SEED + 1)


def test_frames_come_at_the_cadence(flat: Run) -> None:
    assert flat.times[0] == flat.facts.neutral_start_t
    steps = {round(b - a, 9) for a, b in itertools.pairwise(flat.times)}
    assert steps == {6.0}
    coarse = [e.t for e in simulate("mountain", SEED, cadence_s=15) if isinstance(e, Telemetry)]
    assert {round(b - a, 9) for a, b in itertools.pairwise(coarse)} == {15.0}


def test_news_are_in_time_order_among_the_frames(flat: Run) -> None:
    times = [n.t for n in flat.news]
    assert times == sorted(times)
    assert flat.times[0] <= times[0]
    assert times[-1] <= flat.times[-1]
    finish = [n for n in flat.news if n.category == "finish"]
    assert [n.riders for n in finish] == [(flat.facts.winner,)]
    assert any(n.category == "puncture" for n in flat.news)
    assert any(
        flat.facts.wheel_loss is not None and flat.facts.wheel_loss.sprinter in n.riders
        for n in flat.news
    )


def test_neutralised_start_comes_first(flat: Run) -> None:
    assert 70 <= flat.neutral_frames <= 90
    assert flat.neutral_faults == 0
    assert flat.race_gap_missing == 0


def test_km_to_finish_in_10_m_steps(flat: Run, mountain: Run) -> None:
    assert flat.off_grid_km == 0
    assert mountain.off_grid_km == 0


def test_some_frames_miss_riders_and_finishers_linger(flat: Run) -> None:
    racing = flat.sizes[: flat.neutral_frames + 1000]
    assert min(racing) < 176
    assert sum(size < 176 for size in racing) < len(racing) / 5
    assert set(flat.finished_frames.values()) <= {1, 2, 3, 4, 5}
    assert len(flat.finish_gap) == 176


def test_peloton_spans_150_to_250_m(flat: Run) -> None:
    fixes = flat.snapshots[90]
    skip = {*flat.facts.break_riders, *flat.facts.dropped}
    kms = [f.km_to_finish or 0.0 for b, f in fixes.items() if b not in skip]
    assert 150 <= (max(kms) - min(kms)) * 1000 <= 260
