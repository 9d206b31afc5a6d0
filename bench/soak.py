"""Six stages in a row through one process: does memory stay flat from one stage to the next?

Six simulated stages (flat, hilly, mountain, twice, with other seeds the second time) are run
twice, each simulated as it is read (six stages held at once take 4 GB), with the resident
memory (VmRSS) sampled after each stage:

1. the engine: one `race.engine.Race` fed every stage in turn (each stage's start list starts a
   new race), as `ardoise situation` and a long-running app do;
2. the app: one `ArdoiseApp`, headless (Textual's `run_test`), fed the six stages in a row at
   full speed, each stage waited on until the screen has shown its last situation.

Prints the RSS after each stage and the ratio of the sixth stage's to the second's (the first
stage pays for warming up: imports, caches, the first screen). Target: within 10 %.

    python bench/soak.py [--only engine|app]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feeds.base import FeedAdapter, FeedOptions  # noqa: E402
from feeds.simulation import simulate  # noqa: E402
from feeds.simulation.scenarios import build_script  # noqa: E402
from race.engine import Race  # noqa: E402
from race.models import FeedEvent  # noqa: E402
from race.situation import Situation  # noqa: E402
from tests.support.stages import engine_settings  # noqa: E402
from tests.support.waiting import until  # noqa: E402

STAGES = (
    ("flat", 2026),
    ("hilly", 2026),
    ("mountain", 2026),
    ("flat", 2027),
    ("hilly", 2027),
    ("mountain", 2027),
)
TARGET = 0.10
"""The sixth stage's RSS may exceed the second's by this share at most."""


def rss_mb() -> float:
    """The resident memory now (not the peak `ru_maxrss` keeps), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def stages() -> Iterator[Iterator[FeedEvent]]:
    return (_simulated(scenario, seed) for scenario, seed in STAGES)


def _simulated(scenario: str, seed: int) -> Iterator[FeedEvent]:
    """One stage's events; then the simulator's cache of scripts (eight stages' plans, kept
    for the tests) is emptied: what is measured is what Ardoise keeps, not the simulator."""
    yield from simulate(scenario, seed)
    build_script.cache_clear()


def soak_engine() -> list[float]:
    race = Race(engine_settings())
    samples = []
    for events in stages():
        for event in events:
            race.apply(event)
        gc.collect()
        samples.append(rss_mb())
    return samples


class _Stages(FeedAdapter):
    """The six stages one after the other, as fast as the app takes them; after each stage,
    waits until the app has shown its last situation, then samples the RSS."""

    name: ClassVar[str] = "soak"
    Options: ClassVar[type[FeedOptions]] = FeedOptions

    def __init__(self) -> None:
        super().__init__(FeedOptions())
        self.samples: list[float] = []
        self.app: object = None
        self.done = asyncio.Event()

    async def events(self) -> AsyncIterator[FeedEvent]:
        sent = 0
        for events in stages():
            for event in events:
                yield event
                sent += 1
                await asyncio.sleep(0)  # The app's screen runs between events, as live.
            await until(partial(self._shown, sent), within=300, what="the stage shown")
            gc.collect()
            self.samples.append(rss_mb())
        self.done.set()

    def _shown(self, events: int) -> bool:
        """The app shows the situation after `events` events (it redraws a few times a second)."""
        situation = getattr(self.app, "situation", None)
        return isinstance(situation, Situation) and situation.events_applied >= events


async def soak_app() -> list[float]:
    from tui.app import ArdoiseApp  # Textual only for this part.

    feed = _Stages()
    app = ArdoiseApp(feed, engine_settings(), feed_label="soak")
    feed.app = app
    async with app.run_test(size=(160, 48)):
        await feed.done.wait()
    return feed.samples


def report(name: str, samples: list[float], seconds: float) -> bool:
    print(f"{name} ({seconds:.0f} s)")
    for (scenario, seed), mb in zip(STAGES, samples, strict=True):
        print(f"  {scenario:<9} {seed}  RSS {mb:7.1f} MB", flush=True)
    ratio = samples[5] / samples[1]
    ok = ratio <= 1 + TARGET
    print(f"  sixth / second: {ratio:.3f} ({'within' if ok else 'over'} {TARGET:.0%})")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", choices=("engine", "app"))
    args = parser.parse_args(argv)
    print(f"RSS at the start {rss_mb():.1f} MB")
    ok = True
    if args.only in (None, "engine"):
        began = time.perf_counter()
        samples = soak_engine()
        ok = report("engine", samples, time.perf_counter() - began) and ok
    if args.only in (None, "app"):
        began = time.perf_counter()
        samples = asyncio.run(soak_app())
        ok = report("app, headless, full speed", samples, time.perf_counter() - began) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
