"""`ardoise web` for the tests and the benchmark: the source feed it relays (a server that counts
the streams opened on it), the command in its own process, and its processes read in /proc."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter
from feeds.tools.server import create_app, listen
from feeds.tools.sources import AdapterSource
from tests.support.cli import ardoise_serving
from tests.support.liveserver import serve_in_thread
from tests.support.stages import STAGE_5

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
Message = dict[str, Any]


def source_feed(frames_per_s: float) -> tuple[FeedAdapter, str]:
    """The race every viewer follows, at about `frames_per_s`, and its name: the Pau stage's
    recording when present (a frame every ~10 s of race time), else the simulated flat stage
    (a frame every 6 s); both from a point where the race is on."""
    if STAGE_5.exists():
        options = RecordingOptions(path=STAGE_5, speed=10 * frames_per_s, skip_to_km=150)
        return RecordingFeed(options), STAGE_5.name
    simulated = SimulatedOptions(scenario="flat", speed=6 * frames_per_s, skip_to_km=150)
    return SimulatedFeed(simulated), "the simulated flat stage"


class SourceServer:
    """The feed server (`ardoise serve`'s application) of one feed on 127.0.0.1, in a thread,
    counting the event streams opened on it (`/stream`)."""

    def __init__(self, adapter: FeedAdapter, label: str) -> None:
        self.app = create_app(AdapterSource(adapter, "ardoise", label))
        self.streams = 0
        """Event streams opened since the start."""
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def stream_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream"

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/stream":
            self.streams += 1
        await self.app(scope, receive, send)

    def __enter__(self) -> SourceServer:
        sock = listen("127.0.0.1", 0)
        self.port = sock.getsockname()[1]
        self._server, self._thread = serve_in_thread(self, sock)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


@dataclass(frozen=True)
class Web:
    """`ardoise web` running: its address and its process."""

    url: str
    process: subprocess.Popen[str]

    def sessions(self) -> list[int]:
        """The pids of the sessions' app processes, oldest first."""
        return [pid for pid in children(self.process.pid) if "serve" not in command_line(pid)]

    def relay(self) -> int:
        return next(pid for pid in children(self.process.pid) if "serve" in command_line(pid))


@contextmanager
def ardoise_web(tmp_path: Path, source_url: str, *options: str) -> Iterator[Web]:
    """`ardoise web` on a free port, its feed the `sse` stream at `source_url`."""
    config = tmp_path / "web.toml"
    config.write_text(f'[feed]\nadapter = "sse"\n[feed.sse]\nurl = "{source_url}"\n')
    with ardoise_serving("web", config, *options) as (url, process):
        yield Web(url, process)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, oldest first (by their start time)."""
    found: list[tuple[int, int]] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append((int(fields[19]), int(entry.name)))
    return [child for _, child in sorted(found)]


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_s(pid: int) -> float:
    """CPU time (user + system) the process has used, in seconds; 0 once it is gone."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """The process's resident memory, in MB; 0 once it is gone."""
    try:
        pages = int((Path("/proc") / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * PAGE_KB / 1024


def _stat(pid: int) -> list[str] | None:
    """`/proc/<pid>/stat`'s fields after the command's name (index 0 is the state)."""
    try:
        text = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()
