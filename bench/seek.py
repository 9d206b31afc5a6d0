"""The time machine's seeks: how long one takes, and what the history holds.

Plays the Pau recording (../shared/data/racecenter, when present) and the simulated flat stage
through the engine and its history (`race.history`), then seeks to 20 points of each stage, in
a shuffled order, each from a fresh restore (the worst case: a seek near the last one steps on
from the engine kept instead). A full garbage collection that falls in a seek counts in it
(0.15 s here when the process holds millions of objects). Prints the median and the worst
seek, in CPU time (the machine is shared: wall-clock times are disturbed by others) and in
wall time, beside the issue's target, and the history's size: checkpoints, entries, the
trajectories' shared blocks.

    python bench/seek.py [--points 20] [--every-km 4] [--every-entries 40]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feeds.simulation import simulate  # noqa: E402
from race.engine import Race  # noqa: E402
from race.history import CHECKPOINT_ENTRIES, CHECKPOINT_KM, History  # noqa: E402
from race.models import FeedEvent  # noqa: E402
from race.settings import EngineSettings  # noqa: E402
from tests.support.robustness import recording  # noqa: E402
from tests.support.stages import NOISE_M, STAGE_5  # noqa: E402
from tui.assembly import engine_settings  # noqa: E402
from tui.config import load_config  # noqa: E402

TARGET_S = 0.3
"""The issue's bound on one seek (#16)."""


def measure(
    name: str,
    events: Iterable[FeedEvent],
    settings: EngineSettings,
    *,
    points: int,
    every_km: float,
    every_entries: int,
) -> bool:
    """Play `events`, seek to `points` points; print the figures; whether the worst is within
    the target."""
    history = History(Race(settings), every_km=every_km, every_entries=every_entries)
    started = time.process_time()
    for event in events:
        history.apply(event)
    played = time.process_time() - started
    first = history.first_head_entries()
    start_km = history.head_km_after(first) if first is not None else None
    end_km = history.head_km_after(len(history))
    if start_km is None or end_km is None:
        print(f"{name}: no head of the race to seek along")
        return False
    rng = random.Random(16)
    marks = [start_km - (start_km - end_km) * (i + 0.5) / points for i in range(points)]
    cpu: list[float] = []
    wall: list[float] = []
    for km in rng.sample(marks, len(marks)):
        history.forget_restored()
        cpu_0, wall_0 = time.process_time(), time.perf_counter()
        history.situation_at_km(km)
        cpu.append(time.process_time() - cpu_0)
        wall.append(time.perf_counter() - wall_0)
    worst = max(cpu)
    verdict = "ok" if worst <= TARGET_S else "OVER"
    size = history.sizes()
    print(
        f"{name}: {len(history)} entries played in {played:.1f} s CPU; {points} seeks "
        f"from {start_km:.1f} to {end_km:.1f} km: median {statistics.median(cpu):.3f} s, "
        f"worst {worst:.3f} s CPU (wall: median {statistics.median(wall):.3f}, worst "
        f"{max(wall):.3f}); target <= {TARGET_S} s: {verdict}"
    )
    print(
        f"    history {sum(size.values()) / 1e6:.1f} MB: "
        + ", ".join(f"{part} {value / 1e6:.1f} MB" for part, value in size.items())
        + f"; {history.checkpoints} checkpoints"
    )
    return worst <= TARGET_S


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--every-km", type=float, default=CHECKPOINT_KM)
    parser.add_argument("--every-entries", type=int, default=CHECKPOINT_ENTRIES)
    args = parser.parse_args()
    settings = engine_settings(load_config(ROOT / "config.toml"))
    spacing = {"every_km": args.every_km, "every_entries": args.every_entries}
    print(
        f"checkpoints every {args.every_km:g} km or {args.every_entries} entries; "
        "CPU time (process), wall time disturbed by whatever else runs"
    )
    ok = True
    if STAGE_5.exists():
        ok &= measure("pau", recording(), settings, points=args.points, **spacing)
        # Its events, kept by the tests' cache, would make every full garbage collection of
        # the next stage's seeks walk them: the app holds no such list.
        recording.cache_clear()
        gc.collect()
    else:
        print(f"pau: not measured, {STAGE_5} is absent")
    flat = simulate("flat", 2026, noise_m=NOISE_M)
    ok &= measure("simulated flat", flat, settings, points=args.points, **spacing)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
