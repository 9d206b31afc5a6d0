"""The `http` feed: polls Ardoise's own feed document (`GET /feed` of `ardoise serve`).

Every `interval_s` it asks for the events after the last one it has (`?after=<cursor>`), with the
previous response's `ETag` in `If-None-Match`, so a quiet feed costs a `304 Not Modified`. A page
that says `more` is followed at once: after a blackout the client catches up without waiting. Works
with any server (or static file) that serves the document of `feeds.format.wire`; an event of a page
that cannot be read (not an event, or text that is not UTF-8) is counted and skipped, not the page.
A last page with an `error` ends the feed with that reason (the server's source failed).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from feeds.base import FeedOptions
from feeds.format.wire import WireEvent
from feeds.net.failures import Failure
from feeds.net.live import LiveFeed, NetOptions
from feeds.text import error_reason
from race.models import FeedStatus


class HttpOptions(NetOptions):
    """Options of the `http` feed (`[feed.http]`)."""

    url: str = Field(pattern=r"^https?://")
    """The feed document, e.g. "http://127.0.0.1:8765/feed" (`ardoise serve`)."""

    interval_s: float = Field(default=3.0, ge=0.1, le=600)
    """Seconds between two polls (Race Center frames come every ~6 s)."""


class HttpFeed(LiveFeed[HttpOptions]):
    """Polls an Ardoise feed document, resuming after the last event received."""

    name: ClassVar[str] = "http"
    Options: ClassVar[type[FeedOptions]] = HttpOptions

    def __init__(self, options: HttpOptions) -> None:
        super().__init__(options)
        self._seen: set[int] = set()

    @property
    def where(self) -> str:
        return self.options.url

    async def run(self) -> None:
        cursor: int | None = None
        etag: str | None = None
        while True:
            params = {"after": cursor} if cursor is not None else None
            headers = {"If-None-Match": etag} if etag else None
            try:
                response, body = await self.get(
                    self.options.url, params=params, headers=headers, accept_not_modified=True
                )
                document = None if response.status_code == 304 else _document(body)
            except Failure as failure:
                await self.retry(failure)
                continue
            await self.connected(f"polling {self.where}")
            self.failures = 0
            if document is None:  # 304: nothing new.
                await asyncio.sleep(self.options.interval_s)
                continue
            etag = response.headers.get("etag")
            for item in document.events:
                try:
                    # A string: an event holding text that is not UTF-8, for the JSON validator.
                    wire = (
                        WireEvent.model_validate_json(item)
                        if isinstance(item, str)
                        else WireEvent.model_validate(item)
                    )
                except ValidationError as error:
                    await self.reject(f"event {_id_of(item)}: {error_reason(error)}")
                    continue
                if wire.id in self._seen:
                    self.duplicates += 1
                    continue
                self._seen.add(wire.id)
                if not isinstance(wire.event, FeedStatus):
                    await self.emit(wire.event)
            if document.cursor is not None:
                cursor = document.cursor if cursor is None else max(cursor, document.cursor)
            if document.more:
                continue
            if document.ended:
                reason = document.error
                await self.end(
                    f"the feed's source failed: {reason}" if reason else "the feed has ended"
                )
                return
            await asyncio.sleep(self.options.interval_s)


class _Page(BaseModel):
    """A `FeedDocument` whose events are checked one by one: a bad one is skipped, not the page."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["ardoise-feed"]
    cursor: int | None = None
    more: bool = False
    ended: bool = False
    error: str | None = None
    events: list[Any] = []


def _document(body: bytes) -> _Page:
    try:
        return _Page.model_validate_json(body)
    except ValidationError as error:
        page = _mixed_page(body)
        if page is None:
            raise Failure(
                f"not an Ardoise feed document: {error_reason(error)}", bad_data=True
            ) from None
        return page


def _mixed_page(body: bytes) -> _Page | None:
    """A page that is JSON but holds text that is not UTF-8 (a byte, or a lone `\\udXXX`
    escape), read so that only the events holding it are rejected; None if it is not JSON.

    Such text is kept as surrogates, and each event goes back through the JSON validator,
    which refuses them: the event is counted, with its reason."""
    try:
        found = json.loads(body.decode("utf-8", errors="surrogateescape"))
        page = _Page.model_validate(found)
    except (ValueError, RecursionError):  # Not JSON at all (`ValidationError` is a ValueError).
        return None
    page.events = [json.dumps(item) if _has_surrogates(item) else item for item in page.events]
    return page


def _has_surrogates(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogates(k) or _has_surrogates(v) for k, v in value.items())
    return False


def _id_of(item: Any) -> str:
    found = item.get("id") if isinstance(item, dict) else None
    return str(found) if isinstance(found, int) else "?"
