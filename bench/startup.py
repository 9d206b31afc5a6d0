"""Time from launching `ardoise` to the first race data on screen, in a real terminal.

Runs the installed command under tmux (on the embedded default configuration) and polls the
pane every 5 ms until the header shows the head of the race's km to go ("44.9 km to go"): race
data, not only the panels' titles (a replay skipping to its start point draws none before it
is there). Also says when the panels' titles were first drawn. Prints the medians of several
runs.

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TITLES = ("TIME GAPS", "TIME LIMIT", "LEAD-OUT")
RACE_DATA = re.compile(r"\d+\.\d km to go")
"""The header's km to go for the head of the race: drawn only from race data."""


def first_frame_s(ardoise: Path, timeout: float = 20.0) -> tuple[float, float]:
    """Seconds from launch to the panels' titles, and to the first race data."""
    session = f"ardoise-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "100",
                "-y",
                "30",
                f"env XDG_CONFIG_HOME={home} {ardoise}",
            ],
            check=True,
        )
        titles: float | None = None
        try:
            while time.perf_counter() - start < timeout:
                screen = subprocess.run(
                    ["tmux", "capture-pane", "-p", "-t", session],
                    capture_output=True,
                    text=True,
                ).stdout
                now = time.perf_counter() - start
                if titles is None and all(title in screen for title in TITLES):
                    titles = now
                if RACE_DATA.search(screen):
                    return (titles if titles is not None else now), now
                time.sleep(0.005)
            raise TimeoutError("no race data on screen")
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed")
    ardoise = Path(sys.executable).parent / "ardoise"
    first_frame_s(ardoise)  # warm the file cache
    runs = [first_frame_s(ardoise) for _ in range(args.runs)]
    for name, times in (
        ("panels", [r[0] for r in runs]),
        ("first race data", [r[1] for r in runs]),
    ):
        print(
            f"{name}: median {statistics.median(times) * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
