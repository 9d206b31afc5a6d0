"""The feed server (`ardoise serve`): re-serves one feed over HTTP and SSE to any number of clients.

For a team relaying one feed to several cars, for demos, and for tests that need a real server.
The configured feed (a recording, the simulator, a live feed) is read once, at its own pace
(`speed`; 0 = at once), into an append-only log of events numbered from 0; every client reads
the log from where it is, as fast as it reads: a client that joins late, or comes back after a
blackout, gets what it missed first, then follows live.

Two wire formats (Starlette on uvicorn):

- Ardoise's own (`feeds.format.wire`): `GET /stream` (SSE, resumes after `Last-Event-ID`, ends with
  `event: end`), `GET /feed?after=ID` (poll document, `ETag` / `If-None-Match`), `GET /schema`.
- `racecenter`: the Race Center's (`GET /api/{bind}` REST records, `GET /live-stream` SSE of
  `event: update`). A Race Center recording is served verbatim (its records and the exact data
  lines); any other feed is written in that format (`feeds.racecenter.encoding`). Like the
  Race Center, this stream never ends; its events are numbered so that Ardoise's `racecenter`
  adapter resumes after a drop.

`GET /` describes the feed. With a token (read from an environment variable), every request
must carry `Authorization: Bearer <token>`. A quiet stream gets a keep-alive comment every
`KEEPALIVE_S`, so clients can tell it from a dead connection.
"""

from __future__ import annotations

import asyncio
import gzip
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from feeds.base import FeedAdapter, FeedError
from feeds.format.wire import END_EVENT, FORMAT, VERSION, WireEvent, schema
from feeds.net.sse import KEEPALIVE, frame
from feeds.pacing import ReplayClock
from feeds.racecenter.encoding import ROUTE_BIND, rest_records, update_line
from feeds.racecenter.wire import FormatError, parse_update, stage_record
from race.models import FeedStatus, StartList, Telemetry

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

WireFormat = Literal["ardoise", "racecenter"]
KEEPALIVE_S = 10.0
"""A quiet stream gets a comment this often (clients' read timeouts are longer: 30 s)."""
PAGE_BYTES = 2_000_000
"""A poll page holds events up to about this many bytes (at least one event)."""


@dataclass
class FeedLog:
    """The served feed: every event received from the source, encoded once, in order."""

    entries: list[tuple[str, bytes]] = field(default_factory=list)
    """(SSE event name, data) by event id."""
    rest: dict[str, bytes] = field(default_factory=dict)
    """Race Center REST bodies by bind (the `racecenter` format)."""
    ended: bool = False
    upstream: FeedStatus | None = None
    """The source's last status."""
    failure: str | None = None
    """Why the source stopped, if it failed."""

    def __post_init__(self) -> None:
        self._grew = asyncio.Event()

    def append(self, name: str, data: bytes) -> None:
        self.entries.append((name, data))
        self._wake()

    def finish(self) -> None:
        self.ended = True
        self._wake()

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
    """Fills a `FeedLog`."""

    label: str

    async def pump(self, log: FeedLog) -> None: ...


class AdapterSource:
    """Any feed adapter, its events encoded in the served format."""

    def __init__(self, adapter: FeedAdapter, wire: WireFormat, label: str) -> None:
        self.adapter = adapter
        self.wire = wire
        self.label = label

    async def pump(self, log: FeedLog) -> None:
        year = 0
        try:
            async for event in self.adapter.events():
                if isinstance(event, FeedStatus):
                    log.upstream = event
                    if event.state == "ended":
                        break
                    continue
                if self.wire == "ardoise":
                    wire = WireEvent(id=len(log.entries), at=time.time(), event=event)
                    log.append(event.kind, wire.model_dump_json().encode("utf-8"))
                elif isinstance(event, StartList):
                    year = event.stage.year
                    log.rest = {bind: _json(value) for bind, value in rest_records(event).items()}
                elif isinstance(event, Telemetry):
                    log.append("update", update_line(event, year).encode("utf-8"))
                # News has no Race Center form: not sent.
            log.finish()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # The source failed: keep serving what was received.
            log.failure = f"{type(error).__name__}: {error}"
        finally:
            await self.adapter.aclose()


class RaceCenterRecordingSource:
    """A Race Center recording served verbatim: its REST records and its exact data lines."""

    def __init__(self, path: Path, speed: float, skip_to_km: float | None = None) -> None:
        self.label = path.name
        self.speed = speed
        self.skip_to_km = skip_to_km
        try:
            with path.open("rb") as raw:
                compressed = raw.read(2) == b"\x1f\x8b"
            opener = gzip.open if compressed else open
            with opener(path, "rb") as stream:
                document = json.load(stream)
            rest = document["rest"]
            meta = document.get("meta") or {}
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
        self.lines = [
            entry["data"].encode("utf-8")
            for entry in document.get("events") or []
            if isinstance(entry, dict) and isinstance(entry.get("data"), str)
        ]
        self.year, self.stage = year, number

    async def pump(self, log: FeedLog) -> None:
        log.rest = self.rest
        clock, at_once = ReplayClock(self.speed), ReplayClock(0.0)
        caught_up = self.skip_to_km is None
        for line in self.lines:
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
            log.append("update", line)
        log.finish()


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- The application ----------------------------------------------------------------------------


class RequireToken:
    """ASGI middleware: every request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                from starlette.responses import JSONResponse

                response = JSONResponse(
                    {"error": "a token is required (Authorization: Bearer ...)"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    source: Source,
    wire: WireFormat = "ardoise",
    *,
    token: str | None = None,
    keepalive_s: float = KEEPALIVE_S,
    page_bytes: int = PAGE_BYTES,
) -> Starlette:
    """The ASGI application serving `source` in `wire` format."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    log = FeedLog()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pump = asyncio.create_task(source.pump(log), name="feed source")
        app.state.log = log
        try:
            yield
        finally:
            pump.cancel()
            await asyncio.wait([pump])

    def stream(after: int | None, ends: bool) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            position = 0 if after is None else after + 1
            yield b": " + FORMAT.encode() + b" stream\n\n"  # Headers and first bytes at once.
            while True:
                while position < len(log.entries):
                    name, data = log.entries[position]
                    yield frame(data, event=name, id=position)
                    position += 1
                if log.ended:
                    if ends:
                        yield frame(json.dumps({"cursor": position - 1}), event=END_EVENT)
                        return
                    await asyncio.sleep(keepalive_s)  # A Race Center stream never ends.
                    yield KEEPALIVE
                elif not await log.wait_beyond(position, keepalive_s):
                    yield KEEPALIVE

        return StreamingResponse(
            body(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def index(request: Request) -> Response:
        upstream = log.upstream
        return JSONResponse(
            {
                "format": FORMAT if wire == "ardoise" else "racecenter",
                "version": VERSION,
                "source": source.label,
                "events": len(log.entries),
                "ended": log.ended,
                "source_state": upstream.state if upstream else None,
                "source_failure": log.failure,
                "endpoints": (
                    ["/stream", "/feed", "/schema"]
                    if wire == "ardoise"
                    else ["/live-stream", *(f"/api/{bind}" for bind in log.rest)]
                ),
            }
        )

    async def feed_stream(request: Request) -> Response:
        after = _after(request.headers.get("last-event-id") or request.query_params.get("after"))
        return stream(after, ends=True)

    async def feed_document(request: Request) -> Response:
        raw = request.query_params.get("after")
        after = _after(raw)
        if raw is not None and after is None:
            return JSONResponse({"error": "after must be an event id"}, status_code=400)
        start = 0 if after is None else after + 1
        etag = log.etag
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        # The client has every event of this state of the log: nothing new.
        if request.headers.get("if-none-match") == etag and start >= len(log.entries):
            return Response(status_code=304, headers=headers)
        page: list[bytes] = []
        size = 0
        position = start
        while position < len(log.entries) and (not page or size < page_bytes):
            data = log.entries[position][1]
            page.append(data)
            size += len(data)
            position += 1
        more = position < len(log.entries)
        cursor = position - 1 if page else after
        body = b"".join(
            (
                b'{"format":"',
                FORMAT.encode(),
                b'","version":',
                str(VERSION).encode(),
                b',"cursor":',
                json.dumps(cursor).encode(),
                b',"more":',
                b"true" if more else b"false",
                b',"ended":',
                b"true" if log.ended and not more else b"false",
                b',"events":[',
                b",".join(page),
                b"]}",
            )
        )
        return Response(body, media_type="application/json", headers=headers)

    async def feed_schema(request: Request) -> Response:
        return JSONResponse(schema())

    async def rest(request: Request) -> Response:
        body = log.rest.get(request.path_params["bind"])
        if body is not None:
            return Response(body, media_type="application/json")
        if not log.rest:  # The source has not sent its start list yet.
            return JSONResponse(
                {"error": "not ready"}, status_code=503, headers={"Retry-After": "1"}
            )
        return JSONResponse({"error": "unknown bind"}, status_code=404)

    async def live_stream(request: Request) -> Response:
        return stream(_after(request.headers.get("last-event-id")), ends=False)

    routes = [Route("/", index)]
    if wire == "ardoise":
        routes += [
            Route("/stream", feed_stream),
            Route("/feed", feed_document),
            Route("/schema", feed_schema),
        ]
    else:
        routes += [Route("/api/{bind}", rest), Route("/live-stream", live_stream)]
    middleware = [Middleware(RequireToken, token=token)] if token else []
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _after(value: str | None) -> int | None:
    if value is None or not value.strip().lstrip("-").isdigit():
        return None
    number = int(value)
    return number if number >= 0 else None


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as error:
        raise FeedError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def run(app: Starlette, sock: socket.socket, on_ready: Callable[[], None] | None = None) -> None:
    """Serve `app` on `sock` until interrupted (Ctrl-C, SIGTERM)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready()
    server.run(sockets=[sock])
