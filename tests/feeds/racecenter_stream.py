"""A small Race Center on 127.0.0.1 for the stream tests, written on raw sockets so that it can
break the HTTP framing as the real one does: its streams end with a mis-sized chunk.

It serves the REST records of a Race Center recording (`/api/{bind}`) and its updates on
`/live-stream`, `event: update`, one chunk per update. Every `drop_every` updates it writes a
chunk whose declared size is not its size and closes the connection. On each connection it
first re-sends the last update it sent (the real server's snapshot on connect), then what
comes next; once every update is out, it holds the stream open.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

CHUNKED_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
MIS_SIZED = b'event: update\ndata: {"bind": "telemetryCompetitor-2026", "data": {"Tim'
"""The start of an update, declared shorter than it is: the client reads a bad chunk footer."""


def chunk(body: bytes, declared: int | None = None) -> bytes:
    return b"%x\r\n%s\r\n" % (len(body) if declared is None else declared, body)


def update(line: str) -> bytes:
    return b"event: update\ndata: " + line.encode("utf-8") + b"\n\n"


@dataclass
class RawRaceCenter:
    """The server (see the module docstring). `drops_before_first` connections fail before
    sending anything (a mis-sized chunk first): failures in a row."""

    rest: dict[str, Any]
    updates: list[str]
    drop_every: int | None = None
    drops_before_first: int = 0
    sent: int = 0
    """Updates sent so far (each once, the snapshots on connect aside)."""
    drops: int = 0
    connections: int = 0
    _server: asyncio.Server | None = None
    _done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> RawRaceCenter:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._done.set()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode("ascii")
            if path == "/live-stream":
                await self._stream(writer)
            else:
                self._rest(writer, path.removeprefix("/api/"))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _rest(self, writer: asyncio.StreamWriter, bind: str) -> None:
        if bind not in self.rest:
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        body = json.dumps(self.rest[bind]).encode("utf-8")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )

    async def _stream(self, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(CHUNKED_HEAD)
        if self.connections <= self.drops_before_first:
            writer.write(chunk(MIS_SIZED, declared=len(MIS_SIZED) - 7))
            return
        if self.sent:
            writer.write(chunk(update(self.updates[self.sent - 1])))  # The snapshot.
        in_this = 0
        while self.sent < len(self.updates):
            if self.drop_every is not None and in_this == self.drop_every:
                self.drops += 1
                writer.write(chunk(MIS_SIZED, declared=len(MIS_SIZED) - 7))
                return
            writer.write(chunk(update(self.updates[self.sent])))
            self.sent += 1
            in_this += 1
            await writer.drain()
        await self._done.wait()


def rest_binds(document: dict[str, Any], year: int, stage: int) -> dict[str, Any]:
    """A Race Center recording's REST records under their binds."""
    rest = document["rest"]
    return {
        f"allCompetitors-{year}": rest["riders"],
        f"team-{year}": rest["teams"],
        f"stage-{year}": list(rest["stages"].values()),
        f"checkpoint-{year}-{stage}": rest.get("checkpoints") or [],
    }


def previous_stage_snapshot(line: str, stage_id: str, day_s: float = 86_400.0) -> str:
    """A real update made into another stage's final frame: `StageId` of that stage,
    `RaceStatus` false, every rider finished at 0 km, a day earlier."""
    wrapped = json.loads(line)
    data = wrapped["data"]
    data["StageId"] = stage_id
    data["RaceStatus"] = False
    data["TimeStamp"] = data["TimeStamp"] - day_s
    for rider in data["Riders"]:
        rider["kmToFinish"] = 0
        rider["Status"] = "finished"
        rider["secToFirstRider"] = None
    return json.dumps(wrapped)
