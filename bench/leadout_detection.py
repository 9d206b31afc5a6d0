"""The lead-out against a real bunch sprint: for every frame of the Pau stage's last 2 km, the
teams with at least two riders in the first 10 (and 15) by their GPS-placed fixes, and the share
of those frames in which the lead-out lists each such team, and in the right order.

    python bench/leadout_detection.py [--recording PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.leadout_measure import pau_scores, report  # noqa: E402
from tests.support.stages import STAGE_5  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", type=Path, default=STAGE_5)
    args = parser.parse_args()
    if not args.recording.exists():
        sys.exit(f"no recording at {args.recording}")
    started = time.perf_counter()
    for text in report(pau_scores(args.recording)):
        print(text)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
