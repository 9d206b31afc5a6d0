"""What `ardoise serve` serves: the log of the feed's events, and the sources that fill it.

A source reads the configured feed once, at its own pace, into a `FeedLog` (an append-only list
of events numbered from 0, encoded once in the served format) that every client of the server
reads from where it is. `AdapterSource` encodes any adapter's events; `RaceCenterRecordingSource`
serves a Race Center recording verbatim.

A source made with `hold` keeps its first frame until a client opens a stream (the start list
and the REST records are published at once): that client gets the stage from its start, as a
real client connected before the start does. For demos and tests of a replay; the replay's
clock waits meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from feeds.base import FeedAdapter, FeedError
from feeds.format.racecenter import Stop, open_racecenter
from feeds.format.wire import WireEvent
from feeds.pacing import ReplayClock
from feeds.racecenter.encoding import ROUTE_BIND, rest_records, telemetry_bind, update_line
from feeds.racecenter.wire import FormatError, parse_update, stage_record
from race.models import FeedStatus, StartList, Telemetry

WireFormat = Literal["ardoise", "racecenter"]


@dataclass
class FeedLog:
    """The served feed: every event received from the source, encoded once, in order."""

    entries: list[tuple[str, bytes]] = field(default_factory=list)
    """(SSE event name, data) by event id."""
    latest: dict[str, int] = field(default_factory=dict)
    """The id of the latest event of each Race Center bind: its current state, what a new
    client of the live stream gets first."""
    rest: dict[str, bytes] = field(default_factory=dict)
    """Race Center REST bodies by bind (the `racecenter` format)."""
    ended: bool = False
    upstream: FeedStatus | None = None
    """The source's last status."""
    failure: str | None = None
    """Why the source stopped, if it failed."""

    def __post_init__(self) -> None:
        self._grew = asyncio.Event()
        self._listened = asyncio.Event()

    def append(self, name: str, data: bytes, bind: str | None = None) -> None:
        """Add an event; `bind`: the Race Center bind it updates (its latest state)."""
        if bind is not None:
            self.latest[bind] = len(self.entries)
        self.entries.append((name, data))
        self._wake()

    def snapshot(self) -> list[int]:
        """The ids of the latest event of each bind, in order: the current state of the feed."""
        return sorted(self.latest.values())

    def listened(self) -> None:
        """A client opened a stream (a held source goes on)."""
        self._listened.set()

    async def first_client(self) -> None:
        """Return once a client has opened a stream."""
        await self._listened.wait()

    def finish(self) -> None:
        self.ended = True
        self._wake()

    def fail(self, reason: str) -> None:
        """The source failed: the log ends here, and says why."""
        self.failure = reason
        self.finish()

    def _wake(self) -> None:
        grew, self._grew = self._grew, asyncio.Event()
        grew.set()

    async def wait_beyond(self, count: int, within_s: float) -> bool:
        """Wait until the log holds more than `count` events or ends; False after `within_s`."""
        grew = self._grew
        if len(self.entries) > count or self.ended:
            return True
        try:
            async with asyncio.timeout(within_s):
                await grew.wait()
        except TimeoutError:
            return False
        return True

    @property
    def etag(self) -> str:
        return f'"{len(self.entries)}{"-end" if self.ended else ""}"'


class Source(Protocol):
    """Fills a `FeedLog`, and finishes it (`finish`, or `fail` saying why) when the feed ends;
    an exception it raises ends the log too (the server fails it with the exception)."""

    label: str

    async def pump(self, log: FeedLog) -> None: ...


class AdapterSource:
    """Any feed adapter, its events encoded in the served format.

    In the Race Center format, a stage whose start list has no scheduled start is dated by
    its first frame (`feeds.racecenter.encoding.rest_records`): its REST records wait for it.
    """

    def __init__(
        self, adapter: FeedAdapter, wire: WireFormat, label: str, *, hold: bool = False
    ) -> None:
        self.adapter = adapter
        self.wire = wire
        self.label = label
        self.hold = hold

    async def pump(self, log: FeedLog) -> None:
        year = 0
        undated: StartList | None = None
        """A start list whose REST records wait for the first frame's time."""
        held = self.hold
        try:
            async for event in self.adapter.events():
                if isinstance(event, FeedStatus):
                    log.upstream = event
                    if event.state == "ended":
                        break
                    continue
                if isinstance(event, Telemetry):
                    if undated is not None:
                        log.rest = _records(undated, event.t)
                        undated = None
                    if held:
                        await self._hold(log)
                        held = False
                if self.wire == "ardoise":
                    wire = WireEvent(id=len(log.entries), at=time.time(), event=event)
                    log.append(event.kind, wire.model_dump_json().encode("utf-8"))
                elif isinstance(event, StartList):
                    year = event.stage.year
                    if event.stage.scheduled_start is None:
                        undated = event
                    else:
                        log.rest = _records(event)
                elif isinstance(event, Telemetry):
                    line = update_line(event, year).encode("utf-8")
                    log.append("update", line, bind=telemetry_bind(year))
                # News has no Race Center form: not sent.
            if undated is not None:  # Not a frame to date it by: the records without a date.
                log.rest = _records(undated)
            last = log.upstream
            if last is not None and last.state == "ended":
                log.finish()
            else:  # It stopped without ending (a recording cut short says where in its status).
                log.fail(last.detail if last is not None and last.detail else "the feed stopped")
        finally:
            await self.adapter.aclose()

    async def _hold(self, log: FeedLog) -> None:
        """Wait for the first client, the adapter's replay clock stopped meanwhile (so that
        the frames after this one keep their pace instead of catching up)."""
        self.adapter.pause()
        try:
            await log.first_client()
        finally:
            self.adapter.resume()


class RaceCenterRecordingSource:
    """A Race Center recording served verbatim: its REST records and its exact data lines."""

    def __init__(
        self, path: Path, speed: float, skip_to_km: float | None = None, *, hold: bool = False
    ) -> None:
        self.label = path.name
        self.speed = speed
        self.skip_to_km = skip_to_km
        self.hold = hold
        self.recording = open_racecenter(path)
        """Its records read; its lines read as they are served."""
        rest, meta = self.recording.rest, self.recording.meta
        try:
            year = int(meta.get("year") or str(meta.get("date", "0"))[:4])
            stage = stage_record(rest.get("stages") or {}, date=meta.get("date"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, FormatError) as error:
            raise FeedError(f"{path}: not a Race Center recording ({error})") from None
        number = stage.get("stage")
        stages = rest.get("stages")
        self.rest: dict[str, bytes] = {
            f"allCompetitors-{year}": _json(rest.get("riders") or []),
            f"team-{year}": _json(rest.get("teams") or []),
            f"stage-{year}": _json(list(stages.values()) if isinstance(stages, dict) else stages),
            f"checkpoint-{year}-{number}": _json(rest.get("checkpoints") or []),
        }
        if rest.get("trace"):
            self.rest[ROUTE_BIND.format(year=year, stage=number)] = _json(rest["trace"])
        self.year, self.stage = year, number

    async def pump(self, log: FeedLog) -> None:
        log.rest = self.rest
        if self.hold:
            await log.first_client()
        clock, at_once = ReplayClock(self.speed), ReplayClock(0.0)
        caught_up = self.skip_to_km is None
        cut: str | None = None
        for entry in self.recording.events():
            if isinstance(entry, Stop):
                cut = f"end of {self.label}: {entry.reason}"
                break
            data = entry.get("data") if isinstance(entry, dict) else None
            if not isinstance(data, str):
                continue  # Not a line the stream sent.
            line = _verbatim(data)
            try:
                update = parse_update(line)
            except FormatError:
                update = None  # Served as it was received: the client judges it.
            if update is None:
                await asyncio.sleep(0)
            else:
                if not caught_up:
                    kms = [f.km_to_finish for f in update.riders if f.km_to_finish is not None]
                    caught_up = bool(kms) and min(kms) <= (self.skip_to_km or 0.0)
                await (clock if caught_up else at_once).wait_until(update.t)
            log.append("update", line, bind=_bind(line))
        if cut is not None:  # The stream then ends with an error event.
            log.fail(cut)
        else:
            log.finish()


def _records(start: StartList, first_t: float | None = None) -> dict[str, bytes]:
    return {bind: _json(value) for bind, value in rest_records(start, first_t).items()}


def _bind(line: bytes) -> str | None:
    """The bind a data line updates (None: not an update, e.g. a bare id or a keep-alive)."""
    try:
        update = json.loads(line)
    except ValueError:
        return None
    bind = update.get("bind") if isinstance(update, dict) else None
    return bind if isinstance(bind, str) else None


def _verbatim(data: str) -> bytes:
    """An update's bytes as recorded, even those that were not UTF-8 (the client judges them)."""
    try:
        return data.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # A lone surrogate from a JSON escape: no byte stands for it.
        return data.encode("utf-8", errors="surrogatepass")


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
