"""The fault scenarios of `tests/feeds/test_live_faults.py` (`tests.support.fault_scenarios`),
measured and printed as a table.

For each network adapter and fault against a real server on 127.0.0.1: the status the client
showed, how long after the fault became detectable it came, how long after the fault ended the
data flowed again, the bad events counted, and the events in the recording (all 48 of the
stage, once each, is the expected count). Timeouts are the tests' short ones (stale after 0.25 s,
read timeout 0.5 s, backoff 10-100 ms).

    python bench/faults.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fault_scenarios import CASES, SCENARIOS
from tests.support.live_faults import EVENTS, Outcome
from tests.support.liveserver import write_recording


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        recording = write_recording(Path(folder) / "stage.jsonl", EVENTS)
        rows: list[tuple[Outcome, str]] = []
        for index, (name, kind) in enumerate(CASES):
            scenario, _ = SCENARIOS[name]
            outcome = await scenario(kind, recording, Path(folder) / f"{index}.jsonl")
            rows.append((outcome, outcome.recorded_summary()))
    print(
        f"{'adapter':<11}{'fault':<31}{'detected':>9}{'recovered':>11}{'bad':>5}  "
        f"{'recorded':>9}  status shown"
    )
    for row, recorded in rows:
        print(
            f"{row.kind:<11}{row.fault:<31}{seconds(row.detected_s):>9}"
            f"{seconds(row.recovered_s):>11}{row.run.adapter.rejected:>5}  "
            f"{recorded:>9}  {row.shown}"
        )


if __name__ == "__main__":
    asyncio.run(main())
