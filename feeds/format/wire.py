"""Ardoise's own feed format over HTTP: the poll document and the event stream.

Served by `ardoise serve`, read by the `http` and `sse` adapters; `ardoise schema` prints it as
a JSON schema. Every event of a feed has a number, `id`, from 0 in the order the server received
it; a client resumes after the last id it has:

- **Event stream** (`GET /stream`, `text/event-stream`): one SSE event per feed event, with
  `id: <id>`, `event: <kind>` (`start_list`, `telemetry`, `news`) and one `data:` line
  holding a `WireEvent`. On reconnection the client sends `Last-Event-ID` and the server resumes
  after it. When the feed has ended and the client has every event, the server sends
  `event: end` (data: `{"cursor": <last id>}`) and closes. When the server's source failed, it
  sends `event: error` instead (data: `{"cursor": <last id>, "error": "<why>"}`): there will be
  no other event either. Comment lines are keep-alives.
- **Poll** (`GET /feed?after=<id>`): a `FeedDocument` with the events after `after` (all of
  them without it), at most a page at a time (`more` is then true: ask again at once). The
  response has an `ETag`; a client that sends it back in `If-None-Match` gets `304 Not
  Modified` while nothing new has arrived.

A `WireEvent` is a line of Ardoise's recordings (`feeds.format.jsonl.RecordedEvent`) plus its id.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from feeds.format.jsonl import RecordedEvent

FORMAT: Final = "ardoise-feed"
VERSION: Final = 1
END_EVENT = "end"
"""Name of the SSE event that closes a feed that has ended."""
ERROR_EVENT = "error"
"""Name of the SSE event that closes a feed whose source failed (its data says why)."""


class WireEvent(RecordedEvent):
    """One event of a served feed: its number, when the server received it, and the event."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    id: int = Field(ge=0)
    """Position of the event in the feed, from 0. Resume after the last id you have."""


class FeedDocument(BaseModel):
    """The poll response: a page of events after the requested id."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    format: Literal["ardoise-feed"] = FORMAT
    version: Literal[1] = VERSION
    cursor: int | None
    """Id of the last event of this page (or the `after` asked for when there is none):
    ask for `?after=<cursor>` next."""
    more: bool = False
    """The page was cut: more events are ready, ask again without waiting."""
    ended: bool = False
    """The feed has ended: once `more` is false too, there will be no other event."""
    error: str | None = None
    """Why the feed ended early (its source failed), on the last page."""
    events: tuple[WireEvent, ...] = ()


def schema() -> dict[str, Any]:
    """The JSON schema of the poll document; its `$defs` hold `WireEvent` and every event kind."""
    document: dict[str, Any] = TypeAdapter(FeedDocument).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **document,
        "title": "Ardoise feed",
        "description": (
            "Poll document of `GET /feed?after=ID`. The event stream `GET /stream` sends one "
            "WireEvent (#/$defs/WireEvent) per SSE event, with the SSE id set to its `id` and "
            "the SSE event name set to `event.kind`; Ardoise's JSONL recordings hold one "
            "RecordedEvent per line (a WireEvent without `id`)."
        ),
    }
