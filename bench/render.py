"""From a feed event's arrival to the screen updated, measured inside the running app.

The app runs as a user runs it (`python -m tui.cli`, a real process in a 160x48
pseudo-terminal whose output is read as a terminal would) with `ARDOISE_FRAME_TIMING` set:
it then times each event itself (`tui/frametiming.py`), from the feed worker receiving it to
the end of the first frame written to the terminal that shows it. The recording (the Pau
stage's when the shared data is there, 180 riders, else the default simulated stage recorded
to a file first) is replayed from the finale (10 km to go) to its end, at `--frames-per-s`
frames of rider positions a second: more than a live feed sends, each frame still drawn on its
own (`RENDER_EVERY_S` apart). Prints p50, p95 and max of each run and of all runs together,
and where the time goes: the engine, building the panels, Textual's layout and compositor.

The latencies are wall-clock times: on a busy machine they include the waits for a core; the
CPU time of each step (the process's, per frame) is printed next to them.

    python bench/render.py [--runs 5] [--frames-per-s 2] [RECORDING]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_terminal import (  # noqa: E402
    FINALE_KM,
    LIVE,
    OVER,
    RESULTS,
    default_recording,
    frame_interval_s,
    in_terminal,
    replay_config,
    scratch,
)

from tests.support.stages import SHARED_DATA  # noqa: E402
from tui.frametiming import ENVIRONMENT  # noqa: E402

TARGET_MS = 16.0
"""The issue's target (#17): p95 at most 16 ms, one frame at 60 Hz."""
GO_LIVE_TIMEOUT_S = 120.0


@dataclass
class Timings:
    """Milliseconds per event (`latency`, `engine`) and per frame (`build`, `textual`)."""

    latency: list[float]
    engine: list[float]
    build: list[float]
    textual: list[float]
    unchanged: int
    build_cpu: list[float]
    textual_cpu: list[float]


def read_timings(path: Path) -> Timings:
    """The app's timing file (`tui.frametiming`) as durations in milliseconds."""
    timings = Timings([], [], [], [], 0, [], [])
    for text in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(text)
        if "unchanged" in record:
            timings.unchanged += record["unchanged"]
            continue
        written = record["written"]
        for arrived, applied in zip(record["arrived"], record["applied"], strict=True):
            timings.latency.append((written - arrived) * 1000)
            timings.engine.append((applied - arrived) * 1000)
        timings.build.append((record["drawn"] - record["drawing"]) * 1000)
        timings.textual.append((written - record["drawn"]) * 1000)
        drawing, drawn, done = record["cpu"]
        timings.build_cpu.append((drawn - drawing) * 1000)
        timings.textual_cpu.append((done - drawn) * 1000)
    return timings


def percentiles(values: list[float]) -> str:
    if not values:
        return "no sample"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms "
        f"({len(ordered)})"
    )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def one_run(config: Path, timeout_s: float) -> Timings:
    """Replay `config`'s recording in the app, timing itself, until the replay is over."""
    out = config.parent / "timing.jsonl"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "tui.cli", "--config", str(config)]
    env = {"XDG_CONFIG_HOME": str(config.parent), ENVIRONMENT: str(out)}
    with in_terminal(command, env=env) as terminal:
        terminal.wait_for((LIVE,), GO_LIVE_TIMEOUT_S)
        terminal.wait_for((*OVER, RESULTS), timeout_s)
        if not any(terminal.seen(word) for word in OVER):
            terminal.type(b"\x1b")  # The results, over the race at the finish: closed.
            terminal.wait_for(OVER, timeout_s)
    return read_timings(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recording", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frames-per-s", type=float, default=2.0)
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds for a replay of the finale (600)"
    )
    args = parser.parse_args()
    with scratch() as folder:
        recording = (args.recording or default_recording(SHARED_DATA, folder)).resolve()
        speed = frame_interval_s(recording) * args.frames_per_s
        config = replay_config(folder, recording, speed, FINALE_KM)
        print(
            f"{recording.name} at {speed:g}x ({args.frames_per_s:g} frames/s) from "
            f"{FINALE_KM:g} km to go to the end, {args.runs} runs, {os.cpu_count()} cores",
            flush=True,
        )
        runs: list[Timings] = []
        for run in range(1, args.runs + 1):
            runs.append(one_run(config, args.timeout))
            print(f"  run {run}: {percentiles(runs[-1].latency)}", flush=True)
    every = Timings(
        [v for r in runs for v in r.latency],
        [v for r in runs for v in r.engine],
        [v for r in runs for v in r.build],
        [v for r in runs for v in r.textual],
        sum(r.unchanged for r in runs),
        [v for r in runs for v in r.build_cpu],
        [v for r in runs for v in r.textual_cpu],
    )
    if not every.latency:
        sys.exit("no event was timed: did the app draw the replay?")
    p95s = [p95(r.latency) for r in runs if r.latency]
    verdict = "ok" if statistics.median(p95s) <= TARGET_MS else "OVER"
    print(f"event to screen, every run: {percentiles(every.latency)}")
    print(
        f"p95 of the runs: median {statistics.median(p95s):.1f} ms (min {min(p95s):.1f}, "
        f"max {max(p95s):.1f}); target <= {TARGET_MS:g} ms: {verdict}"
    )
    print(f"  engine (per event):          {percentiles(every.engine)}")
    print(f"  panels built (per frame):    {percentiles(every.build)}")
    print(f"  layout and write (per frame): {percentiles(every.textual)}")
    print(f"  CPU, panels built (per frame):     {percentiles(every.build_cpu)}")
    print(f"  CPU, layout and write (per frame): {percentiles(every.textual_cpu)}")
    print(f"  events that changed nothing on screen: {every.unchanged}")


if __name__ == "__main__":
    main()
