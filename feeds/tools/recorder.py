"""Recording a feed to disk (`ardoise record`): every event received, as it is received.

The file is an Ardoise JSONL recording (`feeds.format.jsonl`), replayed by the `recording` adapter.
It is only ever appended to, one line per event, written at once (no buffer): a crash of the
program loses at most the event being written. Lines are also forced to the disk (`fsync`) at
least every `FSYNC_EVERY_S`, so a power cut (a laptop battery in the team car) loses at most that
much. A write that fails (a full disk, a file made read-only) stops the recording with a
`RecordError` naming the file and the reason; the part of the line it wrote is cut off again, so
the file holds exactly the events recorded before.

Recording again to a file that holds events resumes it: a line cut by a crash is dropped, and an
event already in the file (compared whole: most sources send everything again from the start) is
not written twice. The adapter's own statuses are recorded too (when the feed was stale,
reconnecting, and why): replays skip them.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from feeds.base import FeedAdapter, FeedError
from feeds.format.jsonl import LineError, decode, encode
from race.models import FeedEvent, FeedStatus, Stage, StartList, Telemetry

FSYNC_EVERY_S = 1.0
"""Force written lines to the disk at least this often (each fsync costs a few milliseconds)."""


class RecordError(FeedError):
    """The recording file cannot be written: the recording stops, what was written stays."""


@dataclass
class RecordStats:
    events: int = 0
    """Lines written, statuses included."""
    data: int = 0
    """Events other than the adapter's statuses."""
    frames: int = 0
    last_t: float | None = None
    """Feed time of the last frame."""
    skipped: int = 0
    """Events received that the file already held (resuming), not written again."""


@dataclass
class ResumePoint:
    """What a file being resumed already holds."""

    events: int = 0
    """Data events in the file (statuses not counted)."""
    last_t: float | None = None
    """Feed time of the last frame or news in the file."""
    stage: Stage | None = None
    """The stage of the file's last start list."""
    recorded: set[bytes] = field(default_factory=set)
    """Digests of the data events in the file."""
    cut: int = 0
    """Bytes of a line cut by a crash, dropped from the end of the file."""
    read: int = 0
    """Complete lines that are recorded events, statuses included."""
    bad: int = 0
    """Complete lines that are not events (left as they are; replays count them)."""


RECORDING_START = b'{"at":'
"""How every line of an Ardoise recording begins (`encode`): a file cut inside its first line
is still known as one."""


def read_resume_point(path: Path) -> ResumePoint:
    """What `path` holds (nothing if it does not exist). Drops a cut last line from the file.

    A file that is not an Ardoise recording is never touched: `RecordError`.
    """
    point = ResumePoint()
    try:
        file = path.open("r+b")
    except FileNotFoundError:
        return point
    except OSError as error:
        raise _record_error(path, error) from None
    with file:
        try:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return point  # A device or a pipe holds no recording (/dev/full reads zeros).
            tail = b""
            for line in file:
                if line.endswith(b"\n"):
                    _count(point, line)
                else:
                    tail = line
            if not point.read and (point.bad or (tail and not tail.startswith(RECORDING_START))):
                raise RecordError(
                    f"{path} is not an Ardoise recording (no line of it is an event): "
                    "record to another file"
                )
            if tail:
                file.truncate(file.seek(0, os.SEEK_END) - len(tail))
                point.cut = len(tail)
        except OSError as error:
            raise _record_error(path, error) from None
    return point


def _count(point: ResumePoint, line: bytes) -> None:
    try:
        event = decode(line).event
    except (LineError, ValueError):
        point.bad += 1
        return
    point.read += 1
    if isinstance(event, FeedStatus):
        return
    point.events += 1
    point.recorded.add(_digest(event))
    if isinstance(event, StartList):
        point.stage = event.stage
    else:
        point.last_t = event.t


def _digest(event: FeedEvent) -> bytes:
    """The event compared whole, in a few bytes (a whole stage's are held in memory)."""
    return hashlib.blake2b(event.model_dump_json().encode("utf-8"), digest_size=16).digest()


def _record_error(path: Path, error: OSError) -> RecordError:
    return RecordError(f"cannot write {path}: {error.strerror or error}")


def _same_stage(one: Stage, other: Stage) -> bool:
    return (one.race, one.year, one.number, one.start, one.finish) == (
        other.race,
        other.year,
        other.number,
        other.start,
        other.finish,
    )


def describe_stage(stage: Stage) -> str:
    """A stage in words: "Tour de France 2026 stage 5 (Pau - Pau)"."""
    number = f" stage {stage.number}" if stage.number is not None else ""
    route = f" ({stage.start} - {stage.finish})" if stage.start or stage.finish else ""
    return f"{stage.race} {stage.year}{number}{route}"


class Recorder:
    """Appends events to a recording file, one line each, written at once.

    Opening resumes what the file holds (`resumed`): a cut last line is dropped, and an event
    already in the file is not written again. Every failure to write raises `RecordError`.
    """

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
        self.resumed = read_resume_point(path)
        self._clock = clock
        self._monotonic = monotonic
        self._fsync_every_s = fsync_every_s
        self._can_sync = True
        self._failed = False
        try:
            # Unbuffered: a line is on its way to the disk when `write` returns, and a failed
            # write leaves nothing in a buffer for `close` to fail on again.
            self._file = path.open("ab", buffering=0)
            self._size = self._file.seek(0, os.SEEK_END)
        except OSError as error:
            raise _record_error(path, error) from None
        self._synced = monotonic()

    def write(self, event: FeedEvent, at: float | None = None) -> None:
        """Append one event (`at`: when it was received; now by default), unless the file
        already held it when the recording was resumed."""
        if self._failed:
            raise RecordError(f"cannot write {self.path}: an earlier write failed")
        resumed = self.resumed
        if not isinstance(event, FeedStatus) and resumed.recorded:
            if _digest(event) in resumed.recorded:
                self.stats.skipped += 1
                return
            if (
                isinstance(event, StartList)
                and resumed.stage is not None
                and not _same_stage(event.stage, resumed.stage)
            ):
                self._failed = True
                raise RecordError(
                    f"{self.path} holds {describe_stage(resumed.stage)}, not "
                    f"{describe_stage(event.stage)}: record to another file"
                )
        line = encode(event, self._clock() if at is None else at).encode("utf-8") + b"\n"
        self._append(line)
        stats = self.stats
        stats.events += 1
        if not isinstance(event, FeedStatus):
            stats.data += 1
        if isinstance(event, Telemetry):
            stats.frames += 1
            stats.last_t = event.t

    def _append(self, line: bytes) -> None:
        try:
            view = memoryview(line)
            while view:
                written = self._file.write(view)
                if not written:  # Never for a file; a device could, and would loop forever.
                    raise OSError(errno.EIO, "the system accepted no byte")
                view = view[written:]
            now = self._monotonic()
            if now - self._synced >= self._fsync_every_s:
                self._sync()
                self._synced = now
        except OSError as error:
            self._failed = True
            self._cut_back()
            raise _record_error(self.path, error) from None
        self._size += len(line)

    def _sync(self) -> None:
        if not self._can_sync:
            return
        try:
            os.fsync(self._file.fileno())
        except OSError as error:
            if error.errno not in (errno.EINVAL, errno.ENOTSUP):
                raise
            self._can_sync = False  # A pipe or a device: there is nothing to force.

    def _cut_back(self) -> None:
        """Remove the part of a line a failed write left, so the file ends on a whole line."""
        try:
            if self._file.seek(0, os.SEEK_END) > self._size:
                self._file.truncate(self._size)
        except OSError:
            pass  # A device, or the disk is gone: a reader drops a cut last line anyway.

    def close(self) -> None:
        """Force what was written to the disk and close (`RecordError` if that fails)."""
        if self._file.closed:
            return
        try:
            if not self._failed:
                self._sync()
        except OSError as error:
            raise _record_error(self.path, error) from None
        finally:
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


async def record(
    adapter: FeedAdapter,
    path: Path,
    *,
    until: float | None = None,
    on_event: Callable[[FeedEvent], None] | None = None,
    recorder: Recorder | None = None,
) -> RecordStats:
    """Write every event of `adapter` to `path` until the feed ends or a frame is past `until`.

    `on_event` sees each event received (progress, tests), once it is written or skipped.
    Raises `RecordError` when the file cannot be written; what was written before stays.
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
