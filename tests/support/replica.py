"""A replica of the A.S.O. Race Center for the tests, serving a real recording's payloads verbatim.

A raw asyncio HTTP/1.1 server on 127.0.0.1 (optionally https), in a thread of its own so that
sync and async tests can both use it. It is raw on purpose: the real server's framing has faults
(a mis-sized chunk ends every stream) that Starlette and uvicorn would never write.

- `GET /api/{bind}`: the recording's REST records as the real binds: `allCompetitors-{year}`
  (`rest.riders`), `team-{year}` (`rest.teams`), `stage-{year}` (the list of `rest.stages`'
  records), `checkpoint-{year}-{stage}` (`rest.checkpoints`); 204 with no body for any other
  bind or a `removed` one (the real "not published"); a `hanging` bind never answers.
- The route at the organiser's storage path, `GET /tdf-prod-assets-{hash}/tdf/{year}/stage-{n}/
  trace.json` (`rest.trace`; 404 when the recording has none, or for another hash or stage).
- `GET /live-stream`: chunked, every chunk-size line padded with spaces as the real server's
  ("1f4   \\r\\n"). Each connection first gets the current snapshot (the last telemetry line
  served, a repeat; before any, the previous stage's final frame when asked for), then the
  recording's data lines from where the last connection stopped, verbatim and repeats included,
  with bare UUID data lines and updates of other binds between them. After `drop_every` lines
  the stream ends with a chunk declared longer than it is, and the connection is closed. At the
  end of the recording the stream stays open, silent, as the real one after a stage.

The stream goes as fast as the client reads unless a `speed` is given (the recording's own
delays, divided by it). There is one timeline: what one connection served, the next does not
serve again (but its snapshot).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import ssl
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote

import pytest

from feeds.format.racecenter import read_racecenter
from feeds.racecenter.wire import stage_record

ASSET_HASH = "7d6b412378cb7194"
"""The organiser's storage hash seen in 2026 (a build variable: it can rotate)."""
CHUNK_SIZE_WIDTH = 6
"""The real server writes chunk sizes left-aligned in a field this wide: "1f4   \\r\\n"."""
DROP_EVERY = 300
"""Data lines per connection before the mis-sized chunk (the real stream: every few minutes)."""
UUID_EVERY = 5
"""A bare UUID data line after this many updates."""
OTHERS_EVERY = 7
"""An update of another bind after this many updates."""
DAY_S = 86_400
HEADER_LIMIT = 16_384
"""A request's head larger than this is refused: the replica serves tests, not the world."""
STARTED_WITHIN_S = 10.0

LineTransform = Callable[[str], str]


def compact(value: Any) -> str:
    """JSON as the Race Center writes it (no spaces, UTF-8 text as it is)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def without_distances(line: str) -> str:
    """A telemetry data line without `kmToFinish` and `secToFirstRider`, as part of 2025's
    live feed was: positions and speeds only."""
    update = json.loads(line)
    for rider in update.get("data", {}).get("Riders", []):
        rider.pop("kmToFinish", None)
        rider.pop("secToFirstRider", None)
    return compact(update)


def previous_stage_frame(last_line: str, stage: int) -> str:
    """The snapshot the real server holds between two stages, made from a recording's last
    telemetry line: another stage's `StageId` (number x 100), `RaceStatus` false, every rider
    finished at 0 km, a day earlier."""
    update = json.loads(last_line)
    frame = update["data"]
    other = stage - 1 if stage > 1 else stage + 1
    frame["StageId"] = str(other * 100)
    frame["RaceStatus"] = False
    frame["TimeStamp"] = frame["TimeStamp"] - DAY_S
    for rider in frame["Riders"]:
        rider["kmToFinish"] = 0
        rider["Status"] = "finished"
    return compact(update)


def other_updates(year: int, stage: int) -> tuple[str, ...]:
    """Updates of a bind Ardoise does not read, interleaved with the telemetry as the real
    stream interleaves its binds (small objects: the shape is not what is tested)."""
    bind = f"rankingTypeArrival-{year}-{stage}"
    return (
        compact({"bind": bind, "data": {"type": "ete", "rankings": []}}),
        compact({"bind": bind, "data": {"type": "itg", "rankings": []}}),
    )


class Replica:
    """The replica (see the module docstring): `with Replica(path) as replica:`, then
    `replica.url` is the Race Center's base URL and `replica.route_url` the route's pattern.

    Counters, readable while it runs: `connections` (TCP), `streams` (live-stream responses),
    `lines_served` (recording lines written), `snapshots` (snapshot lines written), `drops`
    (streams ended by a mis-sized chunk), `requests` (by path, query left out).
    """

    def __init__(
        self,
        recording: Path,
        *,
        drop_every: int | None = DROP_EVERY,
        previous_stage: bool = False,
        transform: LineTransform | None = None,
        hanging: Collection[str] = (),
        removed: Collection[str] = (),
        asset_hash: str = ASSET_HASH,
        speed: float | None = None,
        uuid_every: int | None = UUID_EVERY,
        others_every: int | None = OTHERS_EVERY,
        others: Sequence[str] | None = None,
        tls: ssl.SSLContext | None = None,
        seed: int = 2026,
    ) -> None:
        document = read_racecenter(recording).document
        rest, meta = document["rest"], document["meta"]
        self.year = int(meta["year"])
        self.stage = int(stage_record(rest["stages"], date=meta["date"])["stage"])
        self.trace: dict[str, Any] | None = rest.get("trace")
        self.drop_every = drop_every
        self.hanging = frozenset(hanging)
        self.asset_hash = asset_hash
        self.speed = speed
        self.uuid_every = uuid_every
        self.others_every = others_every
        self.others = tuple(others) if others is not None else other_updates(self.year, self.stage)
        self.tls = tls
        binds = {
            f"allCompetitors-{self.year}": rest["riders"],
            f"team-{self.year}": rest["teams"],
            f"stage-{self.year}": list(rest["stages"].values()),
            f"checkpoint-{self.year}-{self.stage}": rest["checkpoints"],
        }
        self._binds = {
            bind: compact(records).encode()
            for bind, records in binds.items()
            if bind not in removed
        }
        events = document["events"]
        original: list[str] = [event["data"] for event in events]
        change = transform or (lambda line: line)
        self.lines: list[str] = [change(line) for line in original]
        """The telemetry data lines served, in order (transformed when asked)."""
        self._delays_s = [float(event.get("dt") or 0) / 1000 for event in events]
        self.previous: str | None = (
            change(previous_stage_frame(original[-1], self.stage)) if previous_stage else None
        )
        """The previous stage's frame served as the first snapshot, when asked for."""
        self._snapshot = self.previous
        self._cursor = 0
        self._rng = random.Random(seed)
        self.connections = 0
        self.streams = 0
        self.lines_served = 0
        self.snapshots = 0
        self.drops = 0
        self.requests: Counter[str] = Counter()
        self.finished = threading.Event()
        """Set once every line of the recording has been served."""
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._handlers: set[asyncio.Task[None]] = set()

    # --- Addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def route_url(self) -> str:
        """The route's URL pattern (`{year}`, `{stage}`), as `RaceCenterOptions.route_url`."""
        return f"{self.url}/{self.route_folder}/tdf/{{year}}/stage-{{stage}}/trace.json"

    @property
    def route_folder(self) -> str:
        return f"tdf-prod-assets-{self.asset_hash}"

    @property
    def route_path(self) -> str:
        """The path of this recording's route."""
        return f"/{self.route_folder}/tdf/{self.year}/stage-{self.stage}/trace.json"

    # --- Running -------------------------------------------------------------------------------

    def __enter__(self) -> Replica:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.start()
        if not self._ready.wait(STARTED_WITHIN_S) or not self.port:
            raise RuntimeError("the replica did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(STARTED_WITHIN_S)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, "127.0.0.1", 0, ssl=self.tls, limit=HEADER_LIMIT
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(self._handlers):
                task.cancel()
            if self._handlers:
                await asyncio.wait(self._handlers)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self.connections += 1
        try:
            while (path := await _request_path(reader)) is not None:
                self.requests[path] += 1
                if not await self._respond(path, reader, writer):
                    break
        except (ConnectionError, ssl.SSLError, asyncio.LimitOverrunError, ValueError):
            pass  # The client went away or sent what no test sends: the connection ends.
        except asyncio.CancelledError:
            pass  # The replica is stopping; nobody waits on this task's result.
        finally:
            if task is not None:
                self._handlers.discard(task)
            writer.close()
            with suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    async def _respond(
        self, path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection is to be closed after it."""
        if path == "/live-stream":
            await self._stream(reader, writer)
            return False
        if path.startswith("/api/"):
            bind = path.removeprefix("/api/")
            if bind in self.hanging:
                await _until_closed(reader)
                return False
            body = self._binds.get(bind)
            if body is None:
                await _answer(writer, 204, b"")
            else:
                await _answer(writer, 200, body)
            return True
        if path == self.route_path and self.trace is not None:
            await _answer(writer, 200, compact(self.trace).encode())
            return True
        await _answer(writer, 404, b'{"error":"NoSuchKey"}')
        return True

    # --- The live stream -----------------------------------------------------------------------

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.streams += 1
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        if self._snapshot is not None:
            self.snapshots += 1
            await _chunk(writer, _update(self._snapshot))
        sent = 0
        while self._cursor < len(self.lines):
            if self.drop_every and sent >= self.drop_every:
                await self._drop(writer)
                return
            at = self._cursor
            if self.speed:
                await asyncio.sleep(self._delays_s[at] / self.speed)
            line = self.lines[at]
            # Served from now on: a client that misses it gets it as the next snapshot.
            self._cursor, self._snapshot = at + 1, line
            self.lines_served += 1
            sent += 1
            await _chunk(writer, _update(line))
            if self.uuid_every and sent % self.uuid_every == 0:
                await _chunk(writer, self._uuid_line())
            if self.others_every and self.others and sent % self.others_every == 0:
                other = self.others[(sent // self.others_every) % len(self.others)]
                await _chunk(writer, _update(other))
        self.finished.set()
        await _until_closed(reader)

    async def _drop(self, writer: asyncio.StreamWriter) -> None:
        """End the stream as the real server does: a chunk declared one byte longer than its
        data, then the end of the body and the connection closed. A client reads the data and
        its line end as the chunk, then finds no chunk footer: a framing error."""
        self.drops += 1
        payload = self._uuid_line()
        writer.write(_size_line(len(payload) + 1) + payload + b"\r\n0\r\n\r\n")
        await writer.drain()

    def _uuid_line(self) -> bytes:
        return f"data: {uuid.UUID(int=self._rng.getrandbits(128), version=4)}\n\n".encode()


def self_signed(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for https on 127.0.0.1 and its certificate (for the client to trust),
    made by `openssl` in `folder`; the test is skipped without it."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def _update(line: str) -> bytes:
    return f"event: update\ndata: {line}\n\n".encode()


def _size_line(size: int) -> bytes:
    return f"{size:x}".ljust(CHUNK_SIZE_WIDTH).encode() + b"\r\n"


async def _chunk(writer: asyncio.StreamWriter, payload: bytes) -> None:
    writer.write(_size_line(len(payload)) + payload + b"\r\n")
    await writer.drain()


async def _answer(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    reason = {200: "OK", 204: "No Content", 404: "Not Found"}[status]
    head = f"HTTP/1.1 {status} {reason}\r\n"
    if status != 204:  # A 204 has neither a body nor a length.
        head += f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()


async def _request_path(reader: asyncio.StreamReader) -> str | None:
    """The path of the next GET request on the connection (query left out); None at its end.
    Requests other than GET are refused by closing (the Race Center's clients only GET)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    if method != "GET":
        raise ValueError(f"{method} is not served")
    return unquote(target.partition("?")[0])


async def _until_closed(reader: asyncio.StreamReader) -> None:
    """Send nothing until the client closes the connection (or the replica stops)."""
    while await reader.read(4096):
        pass
