"""The app as a user runs it, for the benchmarks: a real process in a pseudo-terminal of a
given size, its output read (and dropped) as a terminal would, and a recording to follow.

Shared by `bench/cpu.py` and `bench/render.py`.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import pty
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAU = "2026-07-08.json.gz"
"""The Pau road stage: a bunch sprint, 180 riders, the finale the issue measures."""
SIZE = (160, 48)
FINALE_KM = 10.0
"""Where the engine's finale starts by default (`[leadout] finale_km`): the replays start
there, so that the lead-out panel is drawn all along."""


LIVE = "● live"
"""The header's feed state once a replay has skipped to its start point."""
OVER = ("recording: finished", "recording: ended")
RESULTS = "Stage result"
"""The results screen, opened by itself over the race when the winner is in (its header hidden)."""
"""The header's feed state once a recording is replayed to its end."""


class Terminal:
    """A process running in a pseudo-terminal; what it writes is read, watched for words."""

    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        self.process = process
        self._master = master
        self._seen: dict[bytes, threading.Event] = {
            word.encode(): threading.Event() for word in (LIVE, *OVER, RESULTS)
        }
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, words: tuple[str, ...], timeout_s: float) -> None:
        """Return once the app has written one of `words` (`LIVE` or `OVER`)."""
        events = [self._seen[w.encode()] for w in words]
        deadline = time.monotonic() + timeout_s
        while not any(e.is_set() for e in events):
            if self.process.poll() is not None:
                raise RuntimeError(f"the app stopped ({self.process.returncode})")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app did not show {' or '.join(words)} in {timeout_s:g} s")
            events[0].wait(0.5)

    def seen(self, word: str) -> bool:
        """Whether the app has written `word` (one of the words watched)."""
        return self._seen[word.encode()].is_set()

    def type(self, keys: bytes) -> None:
        os.write(self._master, keys)

    def close(self) -> None:
        os.close(self._master)
        self._reader.join(5)

    def _drain(self) -> None:
        """Read the terminal's output until it closes, noting the words seen."""
        tail = b""
        longest = max(len(w) for w in self._seen)
        while True:
            try:
                chunk = os.read(self._master, 1 << 16)
            except OSError:
                return  # The process closed the terminal.
            if not chunk:
                return
            text = tail + chunk
            for word, seen in self._seen.items():
                if not seen.is_set() and word in text:
                    seen.set()
            tail = text[-longest:]


def _set_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


@contextmanager
def in_terminal(
    command: list[str], env: dict[str, str], size: tuple[int, int] = SIZE
) -> Iterator[Terminal]:
    """Run `command` in a new pseudo-terminal of `size` (columns, rows); stop it on exit
    (the quit key first, then a signal)."""
    master, slave = pty.openpty()
    _set_size(slave, *size)
    full_env = {**os.environ, "TERM": "xterm-256color", **env}
    for name in ("COLUMNS", "LINES"):  # The terminal's own size, not the caller's.
        full_env.pop(name, None)
    process = subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=full_env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    terminal = Terminal(process, master)
    try:
        yield terminal
    finally:
        if process.poll() is None:
            terminal.type(b"q")
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGTERM)
                process.wait(10)
        terminal.close()


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system, all its threads) `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # Fields 14 and 15 of proc(5).
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def frame_interval_s(recording: Path) -> float:
    """The median time between two frames of rider positions in `recording`, in feed time."""
    import asyncio

    from feeds.adapters.recording import RecordingFeed, RecordingOptions
    from race.models import Telemetry

    async def times() -> list[float]:
        feed = RecordingFeed(RecordingOptions(path=recording, speed=0))
        found = [e.t async for e in feed.events() if isinstance(e, Telemetry)]
        await feed.aclose()
        return found

    found = asyncio.run(times())
    steps = [b - a for a, b in itertools.pairwise(found) if b > a]
    if not steps:
        raise ValueError(f"{recording} has fewer than two frames")
    return statistics.median(steps)


def simulated_recording(folder: Path) -> Path:
    """The default simulated stage, recorded to a file (`ardoise record`) to be replayed."""
    config = folder / "simulated.toml"
    config.write_text('[feed]\nadapter = "simulated"\nspeed = 0\n', encoding="utf-8")
    out = folder / "simulated.jsonl"
    subprocess.run(
        [sys.executable, "-m", "tui.cli", "--config", str(config), "record", "-o", str(out)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return out


def replay_config(folder: Path, recording: Path, speed: float, skip_to_km: float) -> Path:
    """A configuration replaying `recording` at `speed` from `skip_to_km` km to go."""
    config = folder / "replay.toml"
    config.write_text(
        f'[feed]\nadapter = "recording"\npath = "{recording}"\nspeed = {speed}\n\n'
        f"[feed.recording]\nskip_to_km = {skip_to_km}\n",
        encoding="utf-8",
    )
    return config


def default_recording(shared: Path, folder: Path) -> Path:
    """The Pau recording when the shared data is there, else a simulated stage."""
    pau = shared / PAU
    return pau if pau.exists() else simulated_recording(folder)


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ardoise-bench-") as folder:
        yield Path(folder)


def spread(values: list[float], unit: str, digits: int = 1) -> str:
    """ "median 0.6 % (min 0.5, max 0.8)"."""
    return (
        f"median {statistics.median(values):.{digits}f} {unit} "
        f"(min {min(values):.{digits}f}, max {max(values):.{digits}f})"
    )


def wall() -> float:
    return time.monotonic()
