"""Real servers on 127.0.0.1 for the network tests, and the faults they can be made to commit.

`LiveServer` runs the feed server's application (`feeds.tools.server.create_app`, what `ardoise
serve` runs) on uvicorn in a thread, on a real socket. `FaultyApp` wraps it at the ASGI level and,
when the test arms it, commits one fault of each kind: a connection cut (abruptly, or cleanly as the
Race Center does), HTTP 500s for a while, a stall, bytes injected into the stream (truncated JSON,
garbage, a 20 MB event), events sent twice or swapped, a poll document cut or replaced. Each fault
records when it happened (`fired`, monotonic clock) so tests can measure how long the client took to
notice and to recover.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import uvicorn

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.format.jsonl import encode
from feeds.simulation import simulate
from feeds.tools.server import create_app, listen
from feeds.tools.sources import AdapterSource, WireFormat
from race.models import FeedEvent, Telemetry
from tests.support.stages import SEED

EVENT_ID = re.compile(rb"^id: (\d+)\n")
Message = dict[str, Any]


class Cut(Exception):
    """Raised inside the application to cut the connection (uvicorn closes the socket)."""


def stage_events(count: int = 48) -> list[FeedEvent]:
    """The start of the simulated flat stage: its start list, then `count - 1` frames."""
    frames = (e for e in simulate("flat", SEED, noise_m=1.5) if isinstance(e, Telemetry))
    start = next(iter(simulate("flat", SEED)))
    return [start, *islice(frames, count - 1)]


def write_recording(path: Path, events: list[FeedEvent]) -> Path:
    path.write_text("".join(encode(e, at=1000.0 + i) + "\n" for i, e in enumerate(events)))
    return path


def free_port() -> int:
    """A port nothing listens on, below the ephemeral range: a client retrying a port of that
    range can be given it as its own source port and connect to itself."""
    low, _ = (int(p) for p in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    for _ in range(100):
        port = random.randrange(max(1024, low - 12_000), low)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@dataclass
class FaultPlan:
    """What to do to the next requests and events. Each event-keyed fault fires once."""

    errors_until: float = 0.0
    """Until this monotonic time, every request gets HTTP 500."""
    errors_from_event: int | None = None
    """When event N is about to be sent: cut the connection and answer 500 for `errors_s`."""
    errors_from_poll: int | None = None
    """When the N-th request to /feed comes (from 1): answer 500 for `errors_s`."""
    errors_s: float = 1.5
    cut_at: int | None = None
    """Cut the connection instead of sending event N (an abrupt drop)."""
    cut_inside_at: int | None = None
    """Send half of event N, then cut the connection (the event is truncated)."""
    close_every: int | None = None
    """End the stream cleanly before every N-th event (the Race Center does every few min)."""
    stall_at: int | None = None
    """Stop sending for `stall_s` before event N (the connection stays open)."""
    stall_s: float = 30.0
    inject_before: dict[int, bytes] = field(default_factory=dict)
    """Raw bytes written into the stream before event N."""
    duplicate: set[int] = field(default_factory=set)
    """Events sent twice."""
    swap_at: int | None = None
    """Events N and N+1 are sent in the reverse order."""
    poll_fault_at: int | None = None
    """Poll: the N-th request to /feed (from 1) gets `poll_fault`."""
    poll_fault: str = ""
    """"cut" (headers only), "stall", "truncate" (half the body), "garbage", "huge"
    (a 20 MB body), "bad_event" (an unreadable event added), "reorder" (events duplicated
    and swapped)."""


class FaultyApp:
    """An ASGI wrapper that commits the faults of its `plan` (see the module docstring)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.plan = FaultPlan()
        self.fired: dict[str, float] = {}
        """Fault name → when it happened (monotonic)."""
        self.polls = 0
        self._done: set[str] = set()
        self._sent_close = 0

    def once(self, name: str) -> bool:
        """True the first time `name` is asked (and records when)."""
        if name in self._done:
            return False
        self._done.add(name)
        self.fired[name] = time.monotonic()
        return True

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        plan = self.plan
        if scope["path"] == "/feed":
            self.polls += 1
            if self.polls == plan.errors_from_poll and self.once("errors"):
                plan.errors_until = time.monotonic() + plan.errors_s
        if time.monotonic() < plan.errors_until:
            await _respond(send, 500, b'{"error": "injected"}')
            return
        if scope["path"] == "/feed":
            if self.polls == plan.poll_fault_at and self.once(f"poll_{plan.poll_fault}"):
                await self._poll_fault(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["path"] in ("/stream", "/live-stream"):
            await self.app(scope, receive, self._stream_send(send))
            return
        await self.app(scope, receive, send)

    def _stream_send(self, send: Any) -> Callable[[Message], Any]:
        plan = self.plan
        held: list[bytes] = []
        sent_on_connection = 0

        async def faulty(message: Message) -> None:
            nonlocal sent_on_connection
            chunk = message.get("body", b"")
            found = EVENT_ID.match(chunk) if message["type"] == "http.response.body" else None
            if found is None:
                await send(message)
                return
            number = int(found.group(1))
            if number in plan.inject_before and self.once(f"inject_{number}"):
                await _body(send, plan.inject_before[number])
            if number == plan.errors_from_event and self.once("errors"):
                plan.errors_until = time.monotonic() + plan.errors_s
                raise Cut
            if number == plan.cut_at and self.once("cut"):
                raise Cut
            if number == plan.cut_inside_at and self.once("cut_inside"):
                await _body(send, chunk[: len(chunk) // 2])
                raise Cut
            if number == plan.stall_at and self.once("stall"):
                await asyncio.sleep(plan.stall_s)
            if (
                plan.close_every
                and sent_on_connection
                and number % plan.close_every == 0
                and self.once(f"close_{number}")
            ):
                # A clean end of the response: the stream is over, nothing is cut.
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                raise _Closed
            if number == plan.swap_at and self.once("swap"):
                held.append(chunk)
                return
            await send(message)
            sent_on_connection += 1
            if number in plan.duplicate and self.once(f"duplicate_{number}"):
                await send(message)
            while held:
                await _body(send, held.pop())

        return faulty

    async def _poll_fault(self, scope: Message, receive: Any, send: Any) -> None:
        kind = self.plan.poll_fault
        if kind == "stall" and await _hung_up_within(receive, self.plan.stall_s):
            return  # The client gave up on the stalled response: nobody to answer.
        if kind == "garbage":
            await _respond(send, 200, b"<html><body>502 Bad Gateway</body></html>")
            return
        if kind == "huge":
            # 20 MB of a document, chunked (no Content-Length to refuse it by).
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await _body(send, b'{"format": "ardoise-feed", "events": ["')
            for _ in range(20):
                await _body(send, b"x" * 1_000_000)
            await send({"type": "http.response.body", "body": b'"]}', "more_body": False})
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start, body = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
        if kind == "cut":  # The headers, then nothing: the connection drops.
            await send(start)
            raise Cut
        if kind == "truncate":
            await send(start)
            await send({"type": "http.response.body", "body": body[: len(body) // 2]})
            raise Cut
        import json

        document = json.loads(body)
        events = document["events"]
        if kind == "bad_event" and events:
            events.insert(1, {"id": 999_999, "at": 1.0, "event": {"kind": "telemetry", "t": "x"}})
        if kind == "reorder" and len(events) >= 2:
            events[0], events[1] = events[1], events[0]
            events.append(events[0])
        await _respond(send, 200, json.dumps(document).encode())


class _Closed(Exception):
    """The stream was ended cleanly by a fault: nothing more to send on this connection."""


async def _hung_up_within(receive: Any, seconds: float) -> bool:
    """Send nothing for `seconds`; True as soon as the client disconnects (a stall it noticed),
    so the server need not hold the request until it shuts down."""
    try:
        async with asyncio.timeout(seconds):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        return False
    return True


async def _body(send: Any, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _Swallow:
    """Ends a request quietly when a fault ended its response cleanly."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except _Closed:
            return
        except BaseExceptionGroup as group:
            if group.subgroup(_Closed) is None:
                raise


class LiveServer:
    """The feed server on 127.0.0.1 in a thread, behind a `FaultyApp`."""

    def __init__(
        self,
        recording: Path,
        wire: WireFormat = "ardoise",
        *,
        port: int = 0,
        token: str | None = None,
        page_bytes: int = 100_000,
        keepalive_s: float = 10.0,
        speed: float = 0.0,
        wait_for_client: bool = False,
    ) -> None:
        """`wait_for_client`: the feed waits at its first frame for a client's stream (a Race
        Center stream sends a new client only the current state: a client that must get every
        frame connects first, as `ardoise serve --wait-for-client` lets it)."""
        feed = RecordingFeed(RecordingOptions(path=recording, speed=speed))
        app = create_app(
            AdapterSource(feed, wire, recording.name, hold=wait_for_client),
            wire,
            token=token,
            page_bytes=page_bytes,
            keepalive_s=keepalive_s,
        )
        self.faults = FaultyApp(app)
        self.requested_port = port
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._app = _Swallow(self.faults)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        sock = listen("127.0.0.1", self.requested_port)
        self.port = sock.getsockname()[1]
        self._server, self._thread = serve_in_thread(self._app, sock, lifespan="on")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(
    app: Any, sock: socket.socket, **config: Any
) -> tuple[uvicorn.Server, threading.Thread]:
    """`app` served by uvicorn on `sock` in a thread of its own, once it has started (within
    10 s); `config`: more of `uvicorn.Config`'s options."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="critical", access_log=False, timeout_graceful_shutdown=1, **config
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return server, thread
