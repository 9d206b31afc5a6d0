"""The situations' fingerprint: a hash of every situation the engine produces on reference stages.

A refactoring or an optimisation must not change what Ardoise says. This script runs the
engine over the two real recordings in ../shared/data/racecenter (when present) and over the
simulated flat and mountain stages, hashes the public JSON of the situation after every event,
and compares the hashes with the committed fingerprint (`bench/fingerprint.json`), naming the
first event that differs. A change of behaviour made on purpose rewrites the file (`--write`)
in the same commit, so the diff says so.

    python bench/fingerprint.py            # compare with bench/fingerprint.json
    python bench/fingerprint.py --write    # record the current behaviour
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feeds.simulation import simulate  # noqa: E402
from race.engine import Race  # noqa: E402
from race.models import FeedEvent  # noqa: E402
from race.settings import EngineSettings  # noqa: E402
from tui.assembly import engine_settings  # noqa: E402
from tui.config import load_config  # noqa: E402

FINGERPRINT = ROOT / "bench" / "fingerprint.json"
RECORDINGS = next(
    (
        found
        for parent in ROOT.parents
        if (found := parent / "shared" / "data" / "racecenter").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "racecenter",
)
STAGES = {
    "pau": "2026-07-08.json.gz",
    "time_trial": "2026-07-21.json.gz",
}
"""The real recordings, by the name their fingerprint is kept under."""
SIMULATED = (("flat", 2026), ("mountain", 2026))
NOISE_M = 4.0
"""The simulated GPS noise of the embedded configuration."""


def digest(situation_json: dict[str, Any]) -> str:
    text = json.dumps(situation_json, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def run(events: Iterable[FeedEvent], settings: EngineSettings) -> dict[str, Any]:
    """Per-event hashes and the final JSON's hash of one stage."""
    race = Race(settings)
    hashes = [digest(race.apply(event).to_json_dict()) for event in events]
    final = race.situation.to_json_dict()
    return {"events": len(hashes), "final": digest(final), "per_event": hashes}


def recorded(path: Path) -> list[FeedEvent]:
    """Every event the recording adapter delivers, as fast as possible."""
    from feeds.adapters.recording import RecordingFeed, RecordingOptions

    async def read() -> list[FeedEvent]:
        feed = RecordingFeed(RecordingOptions(path=path, speed=0))
        events: AsyncIterator[FeedEvent] = feed.events()
        return [event async for event in events]

    return asyncio.run(read())


def measure() -> dict[str, Any]:
    settings = engine_settings(load_config(ROOT / "config.toml"))
    out: dict[str, Any] = {}
    for name, (scenario, seed) in zip(("flat", "mountain"), SIMULATED, strict=True):
        out[name] = run(simulate(scenario, seed, noise_m=NOISE_M), settings)
    for name, file in STAGES.items():
        path = RECORDINGS / file
        if path.exists():
            out[name] = run(recorded(path), settings)
    return out


def compare(expected: dict[str, Any], measured: dict[str, Any]) -> list[str]:
    """What differs, one line per stage; empty when every stage measured is identical."""
    problems: list[str] = []
    for name, now in measured.items():
        before = expected.get(name)
        if before is None:
            problems.append(f"{name}: not in the fingerprint")
            continue
        first = next(
            (
                i
                for i, (a, b) in enumerate(zip(before["per_event"], now["per_event"], strict=False))
                if a != b
            ),
            None,
        )
        if first is not None:
            problems.append(f"{name}: event {first} differs (of {now['events']})")
        elif before["events"] != now["events"]:
            problems.append(f"{name}: {now['events']} events, {before['events']} before")
        elif before["final"] != now["final"]:
            problems.append(f"{name}: the final situation differs")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="record the current behaviour")
    args = parser.parse_args()
    measured = measure()
    for name, result in measured.items():
        print(f"{name:<11} {result['events']:>6} events  final {result['final']}")
    if args.write:
        FINGERPRINT.write_text(json.dumps(measured, indent=0) + "\n", encoding="utf-8")
        print(f"written to {FINGERPRINT.relative_to(ROOT)}")
        return 0
    problems = compare(json.loads(FINGERPRINT.read_text(encoding="utf-8")), measured)
    for problem in problems:
        print(f"DIFFERS  {problem}")
    if not problems:
        print("identical to the committed fingerprint")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
