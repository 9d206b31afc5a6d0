"""Peak memory (resident set) of `ardoise situation` and of the app on each shared recording.

Each measure is a fresh process, run `--runs` times (5 by default); its peak RSS is read from
the kernel when it exits (`wait4`), so it counts everything the process ever held: the
interpreter, the imports, the recording being read and the engine. Prints the median, the
spread (min-max) and the target of each.

- `situation`: the installed command as a user runs it, `python -m tui.cli situation` on a
  configuration that replays the recording as fast as possible.
- `app`: the full-screen app, headless (Textual's `run_test`, 160x48), following the
  recording as fast as possible to its end, drawing as it goes.

    python bench/memory.py [--runs 5] [--only situation|app] [RECORDING ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.stages import SHARED_DATA  # noqa: E402

TARGET_MB = 120.0
"""The issue's target for both measures (#17)."""
SIZE = (160, 48)
MEASURES = ("situation", "app")
START_TIMEOUT_S = 30.0
"""The app starts following its feed within this long, or the measure fails."""


def config_text(recording: Path) -> str:
    return f'[feed]\nadapter = "recording"\npath = "{recording}"\nspeed = 0\n'


def peak_rss_mb(command: list[str]) -> float:
    """The peak RSS of `command` (a fresh process, its output discarded), in MB."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {errors}")
    return usage.ru_maxrss / 1024  # Linux counts it in KiB.


def command(measure: str, config: Path) -> list[str]:
    if measure == "situation":
        return [sys.executable, "-m", "tui.cli", "--config", str(config), "situation"]
    return [sys.executable, str(Path(__file__).resolve()), "--app-child", str(config)]


async def follow_in_app(config: Path) -> None:
    """Run the app headless on `config`'s feed until the feed's worker is done."""
    from tui.app import ArdoiseApp
    from tui.assembly import build_feed, engine_settings
    from tui.config import load_config

    loaded = load_config(config)
    app = ArdoiseApp(build_feed(loaded), engine_settings(loaded), feed_label="recording")
    async with app.run_test(size=SIZE) as pilot:
        # The feed's worker starts once the first picture is on screen (`ArdoiseApp.on_ready`).
        waited = 0.0
        while (feed := next((w for w in app.workers if w.group == "feed"), None)) is None:
            if waited > START_TIMEOUT_S:
                raise RuntimeError("the app never started following its feed")
            await pilot.pause(0.05)
            waited += 0.05
        await feed.wait()
        await pilot.pause()  # The last situation drawn.
    if app.frames_drawn < 2:
        raise RuntimeError("the app drew no frame of the race")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recordings", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=MEASURES)
    parser.add_argument("--app-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app_child is not None:
        asyncio.run(follow_in_app(args.app_child))
        return
    recordings = args.recordings or sorted(SHARED_DATA.glob("*.json.gz"))
    if not recordings:
        sys.exit(f"no recording given, and none in {SHARED_DATA}")
    measures = [args.only] if args.only else list(MEASURES)
    print(f"peak RSS, {args.runs} runs each, {os.cpu_count()} cores; target {TARGET_MB:.0f} MB")
    with tempfile.TemporaryDirectory() as folder:
        for recording in recordings:
            config = Path(folder) / f"{recording.name}.toml"
            config.write_text(config_text(recording.resolve()), encoding="utf-8")
            for measure in measures:
                peaks = [peak_rss_mb(command(measure, config)) for _ in range(args.runs)]
                median = statistics.median(peaks)
                verdict = "ok" if median <= TARGET_MB else "OVER"
                print(
                    f"{measure:>9} {recording.name}: median {median:.0f} MB "
                    f"(min {min(peaks):.0f}, max {max(peaks):.0f}) "
                    f"target <= {TARGET_MB:.0f} MB: {verdict}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
