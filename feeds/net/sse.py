"""Server-sent events: a bounded incremental decoder (client side) and the framing (server side).

The decoder follows the WHATWG "event stream interpretation" (fields `event`, `data`, `id`,
`retry`, comment lines, CR / LF / CRLF line ends), with one addition a live feed needs: a bound.
A line longer than `max_event_bytes` is never held in memory: the decoder drops its bytes as
they arrive and reports the event as oversized once it ends, so a 20 MB (or endless) data line
costs no more memory than the bound. httpx-sse buffers whole lines without a limit, which is
why Ardoise decodes the stream itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LINE_END = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event. `oversized` > 0: its lines were over the bound and `data` is empty."""

    event: str = ""
    data: str = ""
    id: str | None = None
    """The `id` field of this event, if it had one."""
    retry_ms: int | None = None
    oversized: int = 0
    """Bytes of the event's fields when they went over the bound (then `data` is dropped)."""
    undecodable: bool = False
    """Its data held bytes that are not UTF-8 (each shown in `data` as U+FFFD)."""


class SSEDecoder:
    """Turns the bytes of an event stream into `ServerSentEvent`s, holding at most the bound.

    Feed it chunks as they arrive (`feed`), then call `close` when the stream ends: an event
    that was not terminated by a blank line is discarded, as the specification says.
    """

    def __init__(self, max_event_bytes: int = 4_000_000) -> None:
        self.max_event_bytes = max_event_bytes
        self.last_event_id = ""
        """The stream's last event ID (kept across events, as the specification says)."""
        self._buffer = bytearray()
        self._scanned = 0
        """Bytes of `_buffer` already searched for a line end."""
        self._skipping = False
        """Dropping the rest of an over-long line."""
        self._event = ""
        self._data: list[str] = []
        self._size = 0
        self._oversized = 0
        self._undecodable = False
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk; returns the events it completed."""
        events: list[ServerSentEvent] = []
        buffer = self._buffer
        buffer += chunk
        start = 0
        search_from = self._scanned
        while True:
            found = LINE_END.search(buffer, max(start, search_from))
            if found is None:
                break
            if found.group() == b"\r" and found.end() == len(buffer):
                # A CR at the very end may be the first half of a CRLF: wait for the next byte.
                break
            line = bytes(buffer[start : found.start()])
            start = found.end()
            if self._skipping:
                self._skipping = False
                self._oversized += len(line)
                continue
            event = self._line(line)
            if event is not None:
                events.append(event)
        del buffer[:start]
        self._scanned = max(0, len(buffer) - 1)
        if len(buffer) > self.max_event_bytes:
            # An over-long line: forget what we have of it and drop the rest as it comes.
            self._oversized += len(buffer)
            self._skipping = True
            buffer.clear()
            self._scanned = 0
        elif self._skipping and buffer:
            self._oversized += len(buffer)
            buffer.clear()
            self._scanned = 0
        return events

    def close(self) -> None:
        """The stream ended: an unterminated event is discarded (it may be truncated)."""
        self._buffer.clear()
        self._scanned = 0
        self._skipping = False
        self._reset()

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        if not raw:
            return self._dispatch()
        if raw.startswith(b":"):
            return None  # A comment: keep-alives.
        name, colon, value = raw.partition(b":")
        if colon and value.startswith(b" "):
            value = value[1:]
        field = name.decode("utf-8", errors="replace")
        if field == "data":
            self._size += len(value) + 1
            if self._size > self.max_event_bytes:
                self._oversized = self._size + self._oversized
                self._data.clear()
            elif not self._oversized:
                try:
                    self._data.append(value.decode("utf-8"))
                except UnicodeDecodeError:
                    self._undecodable = True
                    self._data.append(value.decode("utf-8", errors="replace"))
        elif field == "event":
            self._event = value.decode("utf-8", errors="replace")
        elif field == "id":
            if b"\0" not in value:
                self._id = value.decode("utf-8", errors="replace")
                self.last_event_id = self._id
        elif field == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data and not self._oversized and not self._event and self._id is None:
            self._retry = None
            return None
        event = ServerSentEvent(
            event=self._event,
            data="" if self._oversized else "\n".join(self._data),
            id=self._id,
            retry_ms=self._retry,
            oversized=self._oversized,
            undecodable=self._undecodable,
        )
        self._reset()
        return event

    def _reset(self) -> None:
        self._event = ""
        self._data = []
        self._size = 0
        self._oversized = 0
        self._undecodable = False
        self._id = None
        self._retry = None


def frame(data: str | bytes, *, event: str | None = None, id: int | str | None = None) -> bytes:
    """One event of an event stream, as bytes (data with line breaks becomes several lines)."""
    body = data.encode("utf-8") if isinstance(data, str) else data
    head = b""
    if id is not None:
        head += b"id: " + str(id).encode("ascii") + b"\n"
    if event:
        head += b"event: " + event.encode("utf-8") + b"\n"
    if b"\n" in body or b"\r" in body:
        lines = LINE_END.split(body)
        return head + b"".join(b"data: " + line + b"\n" for line in lines) + b"\n"
    return head + b"data: " + body + b"\n\n"


KEEPALIVE = b": keep-alive\n\n"
"""A comment line: keeps proxies and the client's read timeout from closing a quiet stream."""
