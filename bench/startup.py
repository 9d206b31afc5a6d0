"""Time from launching `ardoise` to its first frame with the three panels, in a real terminal.

Runs the installed command under tmux (on the embedded default configuration) and polls the
pane every 5 ms until the three panel titles are drawn. Prints the median of several runs.

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TITLES = ("TIME GAPS", "TIME LIMIT", "LEAD-OUT")


def first_frame_s(ardoise: Path, timeout: float = 20.0) -> float:
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
        try:
            while time.perf_counter() - start < timeout:
                screen = subprocess.run(
                    ["tmux", "capture-pane", "-p", "-t", session],
                    capture_output=True,
                    text=True,
                ).stdout
                if all(title in screen for title in TITLES):
                    return time.perf_counter() - start
                time.sleep(0.005)
            raise TimeoutError("no first frame")
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
    times = [first_frame_s(ardoise) for _ in range(args.runs)]
    print(
        f"first frame: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms ({args.runs} runs)"
    )


if __name__ == "__main__":
    main()
