"""A Race Center client written against the real Race Center's behaviour, as the independent live
recorders read it, to check that `ardoise serve --as racecenter` passes for the real one.

It owes nothing to Ardoise's own `racecenter` adapter: its own event-stream parser (the WHATWG
rules a browser's `EventSource` follows) and its own bootstrap. It reads the REST records first
(`allCompetitors-{year}`, `team-{year}`, `stage-{year}`, then the stage's checkpoints and its
route at the organiser's trace path), then follows `/live-stream`: after a drop it reconnects,
sending `Last-Event-ID` when the server gave ids, as `EventSource` does. It writes what it
received in the shared recordings' format (`{"version", "meta", "rest", "events"}`, see
`../shared/data/racecenter/README.md`), the stages filed by their `date` as the recorders file
them ("undefined" for a record without one).

`self_signed` makes a certificate for 127.0.0.1 with the `openssl` command (the `cryptography`
package is not a dependency; `openssl` is on every machine that has TLS at all).
"""

from __future__ import annotations

import asyncio
import codecs
import json
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RECONNECT_S = 0.05
"""The reconnection delay (`EventSource`'s is the browser's choice, ~3 s; a `retry:` field sets
it). Short here: the tests wait for what the client records."""
NOT_READY_TRIES = 100
"""A REST record answered 503 is asked again (after `Retry-After`, at most a second) this many
times before the client gives up."""


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM, not encrypted)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    key_type = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        ["openssl", "req", "-x509", *key_type, *subject, "-days", "2", *files],
        check=True,
        capture_output=True,
    )
    return cert, key


def trusting(cert: Path) -> ssl.SSLContext:
    """A client TLS context that trusts `cert` (and verifies the server's name against it)."""
    return ssl.create_default_context(cafile=str(cert))


@dataclass
class StreamEvent:
    """One event of an event stream, as `EventSource` dispatches it."""

    type: str
    data: str
    last_event_id: str


class EventStreamParser:
    """The WHATWG event-stream interpretation: lines end with CR LF, LF or CR; `data` lines are
    joined by LF; `id` (unless it holds a NUL) fills the id buffer, which becomes the last event
    id when the event is dispatched (kept across events: a reconnection sends the id of the
    last event received whole); an event with no data is not dispatched; `retry` sets the
    reconnection time."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._data: list[str] = []
        self._type = ""
        self._id = ""
        self.last_event_id = ""
        self.retry_ms: int | None = None

    def reset(self) -> None:
        """A new connection: the event being read is lost, the last event id is kept."""
        self._decoder.reset()
        self._buffer, self._data, self._type = "", [], ""
        self._id = self.last_event_id

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        self._buffer += self._decoder.decode(chunk)
        events: list[StreamEvent] = []
        while True:
            ends = (self._buffer.find("\r"), self._buffer.find("\n"))
            end = min((i for i in ends if i >= 0), default=-1)
            if end < 0:
                return events
            if self._buffer[end] == "\r":
                if end + 1 == len(self._buffer):
                    return events  # Maybe CR LF split between chunks: wait for the next one.
                after = end + 2 if self._buffer[end + 1] == "\n" else end + 1
            else:
                after = end + 1
            line, self._buffer = self._buffer[:end], self._buffer[after:]
            event = self._line(line)
            if event is not None:
                events.append(event)

    def _line(self, line: str) -> StreamEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._type = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> StreamEvent | None:
        self.last_event_id = self._id
        data, kind = self._data, self._type
        self._data, self._type = [], ""
        if not data:
            return None
        return StreamEvent(kind or "message", "\n".join(data), self.last_event_id)


@dataclass
class RaceCenterClient:
    """Records one stage of a Race Center (REST, then the live stream) until `done` says so."""

    base_url: str
    year: int
    stage: int
    verify: ssl.SSLContext | bool = True
    trace_url: str = "{base}/tdf/{year}/stage-{stage}/trace.json"
    connections: int = 0
    """Connections made to the live stream."""
    sent_last_ids: list[str | None] = field(default_factory=list)
    """The `Last-Event-ID` sent on each connection (None: none)."""
    drops: list[str] = field(default_factory=list)
    """How each connection ended."""

    async def record(
        self, done: Callable[[list[dict[str, Any]]], bool], within_s: float = 120.0
    ) -> dict[str, Any]:
        """The recording of the stage, once `done(events so far)` is true."""
        async with (
            asyncio.timeout(within_s),
            httpx.AsyncClient(verify=self.verify, timeout=30.0) as client,
        ):
            rest, meta = await self._rest(client)
            events = await self._follow(client, done)
        return {"version": 1, "meta": meta, "rest": rest, "events": events}

    async def _rest(self, client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
        year, number = self.year, self.stage
        riders = await self._get(client, f"{self.base_url}/api/allCompetitors-{year}")
        teams = await self._get(client, f"{self.base_url}/api/team-{year}")
        stages = await self._get(client, f"{self.base_url}/api/stage-{year}") or []
        record = next(s for s in stages if s.get("stage") == number)
        checkpoints = await self._get(client, f"{self.base_url}/api/checkpoint-{year}-{number}")
        trace = await self._get(
            client, self.trace_url.format(base=self.base_url, year=year, stage=number)
        )
        # The recorders' filing: a stage by the day of its `date`; the recording's own day is
        # the stage's, or today's when the record does not say.
        day = _day(record) or datetime.now(UTC).date().isoformat()
        rest: dict[str, Any] = {
            "riders": riders or [],
            "teams": teams or [],
            "stages": {_day(s) or "undefined": s for s in stages},
            "checkpoints": checkpoints or [],
        }
        if trace:
            rest["trace"] = trace
        recorded_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        meta = {"date": day, "year": year, "recordedAt": recorded_at.replace("+00:00", "Z")}
        return rest, meta

    async def _get(self, client: httpx.AsyncClient, url: str) -> Any:
        """A REST record; None when it is not published (204) or not found (404)."""
        for _ in range(NOT_READY_TRIES):
            response = await client.get(url)
            if response.status_code == 503:  # Not ready: as asked, a little later.
                await asyncio.sleep(min(float(response.headers.get("retry-after", 1)), 1.0))
                continue
            if response.status_code in (204, 404):
                return None
            response.raise_for_status()
            return response.json()
        raise RuntimeError(f"{url}: still 503 after {NOT_READY_TRIES} tries")

    async def _follow(
        self, client: httpx.AsyncClient, done: Callable[[list[dict[str, Any]]], bool]
    ) -> list[dict[str, Any]]:
        parser = EventStreamParser()
        events: list[dict[str, Any]] = []
        last = time.monotonic()
        while True:
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if parser.last_event_id:
                headers["Last-Event-ID"] = parser.last_event_id
            self.connections += 1
            self.sent_last_ids.append(headers.get("Last-Event-ID"))
            parser.reset()
            try:
                async with client.stream(
                    "GET", f"{self.base_url}/live-stream", headers=headers
                ) as response:
                    response.raise_for_status()
                    async for chunk in response.aiter_raw():
                        for event in parser.feed(chunk):
                            if event.type != "update":
                                continue
                            now = time.monotonic()
                            events.append({"dt": round((now - last) * 1000), "data": event.data})
                            last = now
                            if done(events):
                                return events
                self.drops.append("ended")
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError) as error:
                self.drops.append(f"{type(error).__name__}: {error}")
            delay = parser.retry_ms / 1000 if parser.retry_ms is not None else RECONNECT_S
            await asyncio.sleep(delay)  # EventSource waits its reconnection time.


def _day(record: dict[str, Any]) -> str | None:
    date = record.get("date")
    return date[:10] if isinstance(date, str) and date else None


def write_recording(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path
