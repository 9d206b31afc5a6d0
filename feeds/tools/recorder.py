"""Recording a feed to disk (`ardoise record`): every event received, as it is received.

The file is an Ardoise JSONL recording (`feeds.format.jsonl`), replayed by the `recording` adapter.
It is only ever appended to, one line per event, flushed at once: a crash of the program loses at
most the event being written. Lines are also forced to the disk (`fsync`) at least every
`FSYNC_EVERY_S`, so a power cut (a laptop battery in the team car) loses at most that much.
Restarting a recording on the same file continues it. The adapter's own statuses are recorded too
(when the feed was stale, reconnecting, and why): replays skip them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from feeds.base import FeedAdapter, FeedError
from feeds.format.jsonl import encode
from race.models import FeedEvent, FeedStatus, Telemetry

FSYNC_EVERY_S = 1.0
"""Force written lines to the disk at least this often (each fsync costs a few milliseconds)."""


@dataclass
class RecordStats:
    events: int = 0
    """Lines written, statuses included."""
    data: int = 0
    """Events other than the adapter's statuses."""
    frames: int = 0
    last_t: float | None = None
    """Feed time of the last frame."""


class Recorder:
    """Appends events to a recording file, one flushed line each."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        fsync_every_s: float = FSYNC_EVERY_S,
    ) -> None:
        self.path = path
        self.stats = RecordStats()
        self._clock = clock
        self._monotonic = monotonic
        self._fsync_every_s = fsync_every_s
        try:
            self._file = path.open("ab")
            if self._file.tell() > 0 and not _ends_with_newline(path):
                # A line cut by a crash: end it, so the next line stays readable.
                self._file.write(b"\n")
        except OSError as error:
            raise FeedError(f"cannot write {path}: {error.strerror or error}") from None
        self._synced = monotonic()

    def write(self, event: FeedEvent, at: float | None = None) -> None:
        """Append one event (`at`: when it was received; now by default)."""
        line = encode(event, self._clock() if at is None else at)
        self._file.write(line.encode("utf-8") + b"\n")
        self._file.flush()
        now = self._monotonic()
        if now - self._synced >= self._fsync_every_s:
            os.fsync(self._file.fileno())
            self._synced = now
        stats = self.stats
        stats.events += 1
        if not isinstance(event, FeedStatus):
            stats.data += 1
        if isinstance(event, Telemetry):
            stats.frames += 1
            stats.last_t = event.t

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as existing:
        existing.seek(-1, os.SEEK_END)
        return existing.read(1) == b"\n"


async def record(
    adapter: FeedAdapter,
    path: Path,
    *,
    until: float | None = None,
    on_event: Callable[[FeedEvent], None] | None = None,
    recorder: Recorder | None = None,
) -> RecordStats:
    """Write every event of `adapter` to `path` until the feed ends or a frame is past `until`.

    `on_event` sees each event once it is written (progress, tests).
    """
    with recorder or Recorder(path) as writer:
        try:
            async for event in adapter.events():
                if until is not None and isinstance(event, Telemetry) and event.t > until:
                    break
                writer.write(event)
                if on_event is not None:
                    on_event(event)
                if isinstance(event, FeedStatus) and event.state == "ended":
                    break
        finally:
            await adapter.aclose()
    return writer.stats
