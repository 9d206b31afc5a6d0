"""A bound on the time a client takes to send a request's headers (`ardoise serve`).

uvicorn has none: its keep-alive timeout runs only between requests and any byte received
cancels it, so a client that sends its headers a byte at a time (or sends half of them and
waits) holds a connection for ever, and a few hundred of them hold the server. ASGI middleware
cannot help, as it sees a request only once its headers are complete, so the bound is kept by
uvicorn's h11 protocol, extended here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADERS_WITHIN_S = 10.0
"""A connection whose request headers are not complete this long after it opened (or after
the previous response) is closed. Real clients send them in one packet."""


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection that is too slow to send its headers."""

    headers_within_s = HEADERS_WITHIN_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # The headers are in: the rest is the app's.
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # Waiting for the next request on this connection.

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.headers_within_s, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.transport.close()


def protocol(headers_within_s: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class to give uvicorn (`Config(http=...)`), with its bound."""
    return type(
        "HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"headers_within_s": headers_within_s}
    )
