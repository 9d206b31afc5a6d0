"""Engine throughput on a whole real stage: parsing and the engine, against `json.loads` alone.

Reads a Race Center recording (default: Stage 5 of the 2026 Tour, in ../shared/data/racecenter),
keeps the text of its live-stream updates, then times, over the same updates:

- the floor: `json.loads` of each update's text, which any reader of the feed must pay;
- parsing: `parse_update` (the text straight into Ardoise's models, as the feeds do);
- parsing and the engine: `parse_update` then `Race.apply` on every frame, as `ardoise situation`
  does on a recording (the stage's start list first).

Reading and decompressing the file are left out of all three. Times are CPU times of this
process. The ratio is measured in rounds, each timing the floor, parsing and the engine, and the
floor again, one after the other: the machine's speed drifts (the floor alone has been seen
anywhere from 0.17 to 0.41 s within one hour), and a ratio of two times taken minutes apart
would measure that drift. Prints the median ratio of the rounds with its spread, and each
part's median.

With `--paced SECONDS`, it also times the updates of the finale (from 10 km to go) one by one,
in a loop and then with that long a pause before each, as a live feed brings them: the same
work costs more after a pause (most likely its code and data are out of the processor's caches
by then), and that is the state the app meets every frame in.

    python bench/engine.py [--recording PATH] [--runs 5] [--profile] [--paced 1]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import json
import pickle
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_terminal import spread  # noqa: E402

from feeds.racecenter.wire import parse_update, stage_record, start_list  # noqa: E402
from race.engine import Race  # noqa: E402
from race.models import StartList, Telemetry  # noqa: E402
from race.settings import EngineSettings  # noqa: E402
from race.timelimit.rules import parse_rule_set  # noqa: E402

DEFAULT = next(
    (
        found
        for parent in ROOT.parents
        if (found := parent / "shared" / "data" / "racecenter" / "2026-07-08.json.gz").exists()
    ),
    ROOT.parent / "shared" / "data" / "racecenter" / "2026-07-08.json.gz",
)
FINALE_KM = 10.0
PACED_UPDATES = 60
"""`--paced`: the updates timed one by one, from 10 km to go (as `bench/cpu.py` follows them)."""
TARGET_RATIO = 3.0
"""The whole stage through parsing and the engine within 3x of `json.loads` alone (issue 17)."""


def load(path: Path) -> tuple[StartList, list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        document = json.load(stream)
    meta = document.get("meta") or {}
    rest = document["rest"]
    start = start_list(
        race="Tour de France",
        year=int(meta.get("year") or str(meta.get("date", "0"))[:4]),
        stage=stage_record(rest.get("stages") or {}, date=meta.get("date")),
        riders=rest.get("riders") or [],
        teams=rest.get("teams") or [],
        trace=rest.get("trace"),
        checkpoints=rest.get("checkpoints"),
    )
    texts = [event["data"] for event in document["events"] if isinstance(event.get("data"), str)]
    return start, texts


def settings() -> EngineSettings:
    rules = (ROOT / "race" / "timelimit" / "rulesets" / "tdf.toml").read_text(encoding="utf-8")
    return EngineSettings(rules=parse_rule_set(rules))


def timed(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def paced(start: StartList, texts: list[str], config: EngineSettings, pause_s: float) -> None:
    """Print the median CPU time of one update (parsing and the engine) over the finale's
    first `PACED_UPDATES`, in a loop and with `pause_s` of sleep before each, in turn."""
    race = Race(config)
    race.apply(start)
    finale: list[str] = []
    for i, text in enumerate(texts):
        frame = parse_update(text)
        head = race.apply(frame).head_km_to_finish if frame is not None else None
        if head is not None and head <= FINALE_KM:
            finale = texts[i + 1 : i + 1 + PACED_UPDATES]
            break
    kept = pickle.dumps(race)  # Each pass starts from the same engine.

    def one_pass(pause: float) -> list[float]:
        engine = pickle.loads(kept)
        costs = []
        for text in finale:
            if pause:
                time.sleep(pause)
            started = time.process_time()
            frame = parse_update(text)
            if frame is not None:
                engine.apply(frame)
            costs.append(1000.0 * (time.process_time() - started))
        return costs

    looped: list[float] = []
    paused: list[float] = []
    for _ in range(2):
        looped += one_pass(0.0)
        paused += one_pass(pause_s)
    print(f"the finale's first {len(finale)} updates from {FINALE_KM:g} km to go, CPU per update:")
    for label, costs in (
        ("one after the other", looped),
        (f"{pause_s:g} s of pause before each", paused),
    ):
        print(f"  {label:<30} median {statistics.median(costs):.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the engine once (by own time, then cumulative)",
    )
    parser.add_argument(
        "--paced",
        type=float,
        metavar="SECONDS",
        help="also time the finale's updates one by one, with this long a pause before each",
    )
    args = parser.parse_args()
    if not args.recording.exists():
        print(f"no recording at {args.recording}", file=sys.stderr)
        return 1
    start, texts = load(args.recording)
    config = settings()

    def floor() -> None:
        for text in texts:
            json.loads(text)

    def parse() -> None:
        for text in texts:
            parse_update(text)

    def parse_and_engine() -> None:
        race = Race(config)
        race.apply(start)
        for text in texts:
            frame = parse_update(text)
            if frame is not None:
                race.apply(frame)

    floors: list[float] = []
    parses: list[float] = []
    wholes: list[float] = []
    ratios: list[float] = []
    for _ in range(args.runs):
        before = timed(floor)
        parses.append(timed(parse))
        wholes.append(timed(parse_and_engine))
        after = timed(floor)
        floors += [before, after]
        ratios.append(wholes[-1] / ((before + after) / 2.0))

    # Parsed ahead for the engine alone, and only after the other timings, which read the
    # updates as a feed brings them.
    frames = [f for text in texts if isinstance(f := parse_update(text), Telemetry)]
    # Kept out of the collector, as the app keeps what it has built before the race: else each
    # full collection would walk these 200,000 models, which no feed holds at once.
    gc.freeze()

    def engine_only() -> None:
        race = Race(config)
        race.apply(start)
        for frame in frames:
            race.apply(frame)

    engines = [timed(engine_only) for _ in range(args.runs)]
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(engine_only)
        # Where the time is spent, then what it is spent for.
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).sort_stats(order).print_stats(30)

    n = len(frames)
    riders = max(len(f.riders) for f in frames)
    print(f"{args.recording.name}: {n} frames, up to {riders} riders, {len(texts)} updates")
    print(f"CPU time over {args.runs} rounds:")
    print(f"json.loads alone (the floor)  {spread(floors, 's', 3)}")
    print(f"parsing                       {spread(parses, 's', 3)}")
    print(f"engine (parsed frames)        {spread(engines, 's', 3)}")
    print(f"parsing + engine              {spread(wholes, 's', 3)}")
    ratio = statistics.median(ratios)
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"ratio to the floor, by round  {spread(ratios, 'x', 2)}  "
        f"({verdict} the {TARGET_RATIO:g}x target)"
    )
    if args.paced is not None:
        paced(start, texts, config, args.paced)
    return 0


if __name__ == "__main__":
    sys.exit(main())
