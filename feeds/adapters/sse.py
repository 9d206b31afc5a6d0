"""The `sse` feed: Ardoise's own event stream (`GET /stream` of `ardoise serve`), live.

Each SSE event holds one `WireEvent` (see `feeds.format.wire`). The adapter resumes after a drop
with `Last-Event-ID`, so a blackout loses nothing: the server sends what was missed, and the screen
catches up. An event received twice is delivered once; one that cannot be read (not JSON, not
UTF-8, not an event) is counted. The feed ends at `event: end`, or at `event: error` when the
server's source failed (the status then says why).
"""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import Field, ValidationError

from feeds.base import FeedOptions
from feeds.format.wire import END_EVENT, ERROR_EVENT, WireEvent
from feeds.net.failures import Failure
from feeds.net.live import MB, LiveFeed, NetOptions
from feeds.net.sse import ServerSentEvent
from feeds.text import error_reason
from race.models import FeedStatus


class SseOptions(NetOptions):
    """Options of the `sse` feed (`[feed.sse]`)."""

    url: str = Field(pattern=r"^https?://")
    """The event stream, e.g. "http://127.0.0.1:8765/stream" (`ardoise serve`)."""


class SseFeed(LiveFeed[SseOptions]):
    """Follows an Ardoise event stream, reconnecting and resuming after every failure."""

    name: ClassVar[str] = "sse"
    Options: ClassVar[type[FeedOptions]] = SseOptions

    def __init__(self, options: SseOptions) -> None:
        super().__init__(options)
        self._last_id: str | None = None
        self._seen: set[int] = set()
        self._ended = False
        self._failure: str | None = None
        """Why the server's source failed, when it said so (`event: error`)."""

    @property
    def where(self) -> str:
        return self.options.url

    async def run(self) -> None:
        while not self._ended:
            try:
                got, _ = await self.stream(
                    self.options.url, self._on_event, last_event_id=self._last_id
                )
            except Failure as failure:
                await self.retry(failure)
                continue
            if not got and not self._ended:
                await self.retry(Failure("the server closed the stream without sending anything"))
            # Otherwise the server ended a stream that worked: resume at once.
        if self._failure is not None:
            await self.end(f"the feed's source failed: {self._failure}")
        else:
            await self.end("the feed has ended")

    async def _on_event(self, sse: ServerSentEvent) -> bool:
        if sse.id:
            self._last_id = sse.id  # Even for a bad event: asking again would bring it back.
        if sse.oversized:
            await self.reject(f"event {sse.id or '?'}: {sse.oversized / MB:.1f} MB, over the limit")
            return True
        if sse.event == END_EVENT:
            self._ended = True
            return False
        if sse.event == ERROR_EVENT:
            self._ended = True
            self._failure = _error_of(sse.data)
            return False
        if not sse.data:
            return True
        if sse.undecodable:
            await self.reject(f"event {sse.id or '?'}: not UTF-8 text")
            return True
        try:
            wire = WireEvent.model_validate_json(sse.data)
        except ValidationError as error:
            await self.reject(f"event {sse.id or '?'}: {error_reason(error)}")
            return True
        if wire.id in self._seen:
            self.duplicates += 1
            return True
        self._seen.add(wire.id)
        if not isinstance(wire.event, FeedStatus):  # The server's own sources' state is not ours.
            await self.emit(wire.event)
        return True


def _error_of(data: str) -> str:
    """The reason an `event: error` gives (its data, when it is not the expected JSON)."""
    try:
        found = json.loads(data)
    except ValueError:
        found = None
    reason = found.get("error") if isinstance(found, dict) else None
    return reason if isinstance(reason, str) and reason else (data.strip()[:200] or "no reason")
