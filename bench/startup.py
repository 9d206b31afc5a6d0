"""Time from launching `ardoise` to the first race data on screen, in a real terminal.

Runs the installed command under tmux (on the embedded default configuration) and polls the
pane every 5 ms until the header shows the head of the race's km to go ("44.9 km to go"): race
data, not only the panels' titles (a replay skipping to its start point draws none before it
is there). Also says when the panels' titles were first drawn, and the CPU time the command
had used when the race data showed (less disturbed than the wall clock by other work on the
machine). Prints the medians of several runs.

Two kinds of launch: the first with these settings (an empty cache folder) and the later ones.
The first takes up the start point built into the package when it has one (a wheel: `pip
install .`, `tui.bake`), else plays the stage up to its start point and keeps it in the cache
folder (an editable install, `tui.startpoint`); the later ones take up that point.

    python bench/startup.py [--runs 7] [--ardoise PATH]
"""

from __future__ import annotations

import argparse
import os
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


def cpu_s(session: str) -> float | None:
    """CPU seconds (user and system) used so far by the command running in the session's pane,
    None when it cannot be read (no /proc, or the command is gone)."""
    pane = subprocess.run(
        ["tmux", "-L", session, "list-panes", "-t", session, "-F", "#{pane_pid}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    if not pane:
        return None
    try:
        # Fields after the command's name (which may hold spaces): utime and stime are 14, 15.
        fields = Path(f"/proc/{pane[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_frame_s(
    ardoise: Path, cache: Path, timeout: float = 60.0
) -> tuple[float, float, float | None]:
    """Seconds from launch to the panels' titles and to the first race data, and the CPU
    seconds the command had used then; `cache` is the user's cache folder."""
    session = f"ardoise-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "-L",  # A server of its own: others' tmux sessions neither disturb nor end it.
                session,
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "100",
                "-y",
                "30",
                # `exec`: the pane's process is the command itself, whose CPU time is read.
                f"exec env XDG_CONFIG_HOME={home} XDG_CACHE_HOME={cache} {ardoise}",
            ],
            check=True,
        )
        titles: float | None = None
        try:
            while time.perf_counter() - start < timeout:
                screen = subprocess.run(
                    ["tmux", "-L", session, "capture-pane", "-p", "-t", session],
                    capture_output=True,
                    text=True,
                ).stdout
                now = time.perf_counter() - start
                if titles is None and all(title in screen for title in TITLES):
                    titles = now
                if RACE_DATA.search(screen):
                    return (titles if titles is not None else now), now, cpu_s(session)
                time.sleep(0.005)
            raise TimeoutError("no race data on screen")
        finally:
            # Quit as a user would (the app finishes keeping its start point), then make sure.
            subprocess.run(["tmux", "-L", session, "send-keys", "-t", session, "q"])
            quit_by = time.perf_counter() + 10
            while (
                time.perf_counter() < quit_by
                and subprocess.run(
                    ["tmux", "-L", session, "has-session", "-t", session], capture_output=True
                ).returncode
                == 0
            ):
                time.sleep(0.05)
            subprocess.run(["tmux", "-L", session, "kill-server"], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--ardoise",
        type=Path,
        default=Path(sys.executable).parent / "ardoise",
        help="the command to launch (default: the one installed beside this Python)",
    )
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed")
    ardoise = args.ardoise
    built_in = built_in_points(ardoise)
    print(f"start points built into the package: {built_in}")
    with tempfile.TemporaryDirectory() as kept:
        # Warms the file cache; keeps the start point unless the package has it built in.
        first_frame_s(ardoise, Path(kept))
        if not built_in and not list(Path(kept).rglob("start-*.pickle")):
            sys.exit(f"no start point kept in {kept}")
        for launch, runs in (
            ("first launch (nothing kept)", [fresh_launch(ardoise) for _ in range(args.runs)]),
            ("later launches", [first_frame_s(ardoise, Path(kept)) for _ in range(args.runs)]),
        ):
            print(f"{launch}:")
            cpu = [r[2] for r in runs if r[2] is not None]
            for name, times in (
                ("panels", [r[0] for r in runs]),
                ("first race data", [r[1] for r in runs]),
                ("CPU time at the first race data", cpu),
            ):
                if times:
                    print(
                        f"  {name}: median {statistics.median(times) * 1000:.0f} ms, "
                        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                        f"({len(times)} runs)"
                    )


def built_in_points(ardoise: Path) -> int:
    """How many start points the package of the `ardoise` command has built in (its Python is
    the script's own: its first line)."""
    python = ardoise.read_text(encoding="utf-8").splitlines()[0].removeprefix("#!").strip()
    counted = subprocess.run(
        [
            python,
            "-I",  # Not the checkout the benchmark runs from: the command's own package.
            "-c",
            "from tui.startpoint import BAKED_FOLDER as F; print(len(list(F.glob('start-*'))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(counted.stdout)


def fresh_launch(ardoise: Path) -> tuple[float, float, float | None]:
    """A launch with an empty cache folder of its own."""
    with tempfile.TemporaryDirectory() as cache:
        return first_frame_s(ardoise, Path(cache))


if __name__ == "__main__":
    main()
