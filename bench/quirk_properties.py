"""The quirks' property test (`tests/race/test_quirk_properties.py`) with many more examples
than the suite tries: random combinations of real feeds' quirks on a short stage, the engine
checked after every event (finite, non-negative gaps; no time-limit status better than its
margin allows; the right winner).

The suite tries the same few combinations every run (each is a whole stage through the
engine); this runs as many as asked, from a fresh random start. A failure it finds is shrunk
and printed: add it to the test as an `example`, so that the suite tries it from then on.

    python bench/quirk_properties.py [--examples 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/race/test_quirk_properties.py::test_no_quirk_makes_a_wrong_number"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args()
    if args.examples < 1:
        sys.exit("--examples must be 1 or more")
    env = os.environ | {"ARDOISE_QUIRK_EXAMPLES": str(args.examples)}
    command = [sys.executable, "-m", "pytest", TEST, "-n0", "-q", "-p", "no:randomly"]
    command += ["--hypothesis-show-statistics"]
    sys.exit(subprocess.run(command, cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    main()
