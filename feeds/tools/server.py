"""The feed server (`ardoise serve`): re-serves one feed over HTTP and SSE to any number of clients.

For a team relaying one feed to several cars, for demos, and for tests that need a real server.
The configured feed (a recording, the simulator, a live feed) is read once, at its own pace
(`speed`; 0 = at once), into an append-only log of events numbered from 0 (`feeds.tools.sources`);
every client reads the log from where it is, as fast as it reads.

Two wire formats (Starlette on uvicorn; https with a certificate and its key, `feeds.tools.tls`):

- Ardoise's own (`feeds.format.wire`): `GET /stream` (SSE from the first event, or resumed after
  `Last-Event-ID`; ends with `event: end`), `GET /feed?after=ID` (poll document, `ETag` /
  `If-None-Match`), `GET /schema`. A client that joins late, or comes back after a blackout,
  gets what it missed first, then follows live.
- `racecenter`: the Race Center's, as the real server behaves. `GET /api/{bind}`: REST records
  (204 with no body for a bind not published; 503 until the source has sent its start list);
  `GET /tdf/{year}/stage-{n}/trace.json`: the route, at the organiser's storage path (and as
  the REST bind `trace-{year}-{n}`); `GET /live-stream`: SSE of `event: update`, which never
  ends. On every connection the stream sends its current state, the latest update of each
  bind, then what comes next. A Race Center recording is served verbatim (its records and the
  exact data lines); any other feed is written in that format (`feeds.racecenter.encoding`).
  The events are numbered: a client that sends `Last-Event-ID` (an extension: Ardoise's
  `racecenter` adapter does, once it has seen ids) resumes exactly after it instead.

When the source fails (an exception, a recording cut short), every stream sends what the log
holds, then `event: error` (data: `{"cursor": <last id>, "error": "<why>"}`) and closes; the
poll document says `ended` and `error`. A Race Center client that comes back for more is
answered 503 (it has everything there will be). A malformed `after` or `Last-Event-ID` gets 400
with a one-line reason; a client that takes more than `HEADERS_WITHIN_S` to send its request's
headers is disconnected (`feeds.tools.deadline`).

`GET /` describes the feed. With a token (read from an environment variable), every request
must carry `Authorization: Bearer <token>`. A quiet stream gets a keep-alive comment every
`KEEPALIVE_S`, so clients can tell it from a dead connection.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from feeds.base import FeedError
from feeds.format.wire import END_EVENT, ERROR_EVENT, FORMAT, VERSION, schema
from feeds.net.sse import KEEPALIVE, frame
from feeds.racecenter.encoding import ROUTE_BIND, TRACE_PATH
from feeds.tools.sources import FeedLog, Source, WireFormat
from feeds.tools.tls import Tls

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Receive, Scope, Send

KEEPALIVE_S = 10.0
"""A quiet stream gets a comment this often (clients' read timeouts are longer: 30 s)."""
PAGE_BYTES = 2_000_000
"""A poll page holds events up to about this many bytes (at least one event)."""
EVENT_ID = re.compile(r"[0-9]{1,18}")
"""An event id as a client may send it: digits only (no sign, space or other numeral), and
few enough that the number stays a machine integer."""


ROUTE_PATTERN = re.compile(ROUTE_BIND.format(year="(?P<year>[0-9]+)", stage="(?P<stage>[0-9]+)"))
"""A REST bind that holds a route, with its year and stage."""
TRACE_ROUTE = TRACE_PATH.format(year="{year:int}", stage="{stage:int}")
"""The organiser's trace path as a Starlette route."""


class BadRequest(ValueError):
    """A client's mistake, answered 400 with this message."""


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
    from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
    from starlette.routing import Route

    log = FeedLog()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pump = asyncio.create_task(_pump(source, log), name="feed source")
        app.state.log = log
        try:
            yield
        finally:
            pump.cancel()
            await asyncio.wait([pump])

    def stream(start: int, ends: bool, snapshot: Sequence[int] = ()) -> StreamingResponse:
        """Events `snapshot` (ids), then from id `start` on."""
        log.listened()

        async def body() -> AsyncIterator[bytes]:
            position = start
            yield b": " + FORMAT.encode() + b" stream\n\n"  # Headers and first bytes at once.
            for number in snapshot:
                name, data = log.entries[number]
                yield frame(data, event=name, id=number)
            while True:
                while position < len(log.entries):
                    name, data = log.entries[position]
                    yield frame(data, event=name, id=position)
                    position += 1
                if log.failure is not None:  # Nothing more will come: say why, and end.
                    error = {"cursor": position - 1, "error": log.failure}
                    yield frame(json.dumps(error), event=ERROR_EVENT)
                    return
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

    def traces() -> list[str]:
        """The trace paths of the routes served (by their REST bind's year and stage)."""
        found = (ROUTE_PATTERN.fullmatch(bind) for bind in log.rest)
        return [TRACE_PATH.format(**match.groupdict()) for match in found if match]

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
                    else ["/live-stream", *(f"/api/{bind}" for bind in log.rest), *traces()]
                ),
            }
        )

    async def feed_stream(request: Request) -> Response:
        after = _resume_after(request)
        return stream(0 if after is None else after + 1, ends=True)

    async def feed_document(request: Request) -> Response:
        after = _event_id("after", request.query_params.get("after"))
        log.listened()
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
                b',"error":',
                json.dumps(log.failure if not more else None).encode(),
                b',"events":[',
                b",".join(page),
                b"]}",
            )
        )
        return Response(body, media_type="application/json", headers=headers)

    async def feed_schema(request: Request) -> Response:
        return JSONResponse(schema())

    def not_ready() -> Response:
        """The source has not sent its start list yet."""
        return JSONResponse({"error": "not ready"}, status_code=503, headers={"Retry-After": "1"})

    async def rest(request: Request) -> Response:
        body = log.rest.get(request.path_params["bind"])
        if body is not None:
            return Response(body, media_type="application/json")
        if not log.rest:
            return not_ready()
        return Response(status_code=204)  # The Race Center's answer for a bind not published.

    async def trace(request: Request) -> Response:
        bind = ROUTE_BIND.format(**request.path_params)
        body = log.rest.get(bind)
        if body is not None:
            return Response(body, media_type="application/json")
        if not log.rest:
            return not_ready()
        return JSONResponse({"error": "no route for this stage"}, status_code=404)

    async def live_stream(request: Request) -> Response:
        after = _event_id("Last-Event-ID", request.headers.get("last-event-id"))
        # The current state for a new client; exactly what follows its last event for one
        # that resumes.
        snapshot = log.snapshot() if after is None else []
        start = len(log.entries) if after is None else after + 1
        if log.failure is not None and not snapshot and start >= len(log.entries):
            # Nothing to send it; a stream that ends at once would bring it back at once.
            return PlainTextResponse(
                f"the feed's source failed: {log.failure}\n",
                status_code=503,
                headers={"Retry-After": "30"},
            )
        return stream(start, ends=False, snapshot=snapshot)

    async def bad_request(request: Request, error: Exception) -> Response:
        return PlainTextResponse(f"{error}\n", status_code=400)

    routes = [Route("/", index)]
    if wire == "ardoise":
        routes += [
            Route("/stream", feed_stream),
            Route("/feed", feed_document),
            Route("/schema", feed_schema),
        ]
    else:
        routes += [
            Route("/api/{bind}", rest),
            Route(TRACE_ROUTE, trace),
            Route("/live-stream", live_stream),
        ]
    middleware = [Middleware(RequireToken, token=token)] if token else []
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={BadRequest: bad_request},
    )


async def _pump(source: Source, log: FeedLog) -> None:
    """Run `source`: when it fails, the log ends there with the reason (streams then say it)."""
    try:
        await source.pump(log)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # What was received is still served.
        log.fail(f"{type(error).__name__}: {error}")
    else:
        if not log.ended:
            log.fail(f"{source.label} stopped without ending")


def _resume_after(request: Request) -> int | None:
    """Where an event stream resumes: `Last-Event-ID`, else `?after=`."""
    header = request.headers.get("last-event-id")
    if header:
        return _event_id("Last-Event-ID", header)
    return _event_id("after", request.query_params.get("after"))


def _event_id(name: str, value: str | None) -> int | None:
    """An event id a client sent (None: none sent); `BadRequest` if it is not one."""
    if value is None:
        return None
    if not EVENT_ID.fullmatch(value):
        raise BadRequest(f"{name} must be an event id: digits only, at most 18")
    return int(value)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as error:
        raise FeedError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    # Accepted connections inherit it: a small response (a poll, a REST record) leaves at once
    # instead of waiting ~40 ms for the client's delayed acknowledgement (Nagle's algorithm).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def server(
    app: ASGIApp,
    *,
    headers_within_s: float | None = None,
    log_level: str = "warning",
    tls: Tls | None = None,
) -> uvicorn.Server:
    """The uvicorn server `ardoise serve` runs `app` on (headers due within `HEADERS_WITHIN_S`;
    https with `tls`, checked first: `TlsError`)."""
    import uvicorn

    from feeds.tools.deadline import HEADERS_WITHIN_S, protocol

    if tls is not None:
        tls.check()
    config = uvicorn.Config(
        app,
        http=protocol(HEADERS_WITHIN_S if headers_within_s is None else headers_within_s),
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        ssl_certfile=tls.cert if tls else None,
        ssl_keyfile=tls.key if tls else None,
    )
    return uvicorn.Server(config)


def run(
    app: Starlette,
    sock: socket.socket,
    on_ready: Callable[[], None] | None = None,
    tls: Tls | None = None,
) -> None:
    """Serve `app` on `sock` until interrupted (Ctrl-C, SIGTERM)."""
    served = server(app, tls=tls)
    if on_ready is not None:
        on_ready()
    served.run(sockets=[sock])
