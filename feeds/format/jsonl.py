"""Ardoise's own recording format: one JSON object per line, each an event as it was received.

    {"at": 1783513188.41, "event": {"kind": "telemetry", "t": 1783513188, "riders": [...]}}

`at` is the wall-clock time the event was received; `event` is a `FeedEvent` (its JSON schema is
printed by `ardoise schema`). Lines are appended and flushed one by one, so a crash loses at
most the line being written, and a reader skips a truncated last line.

Every string of an event read is cleaned (`feeds.text`): a recording, or a served feed, made by
another program or an older Ardoise can carry escape sequences in names and news.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from feeds.text import clean_event, clean_text
from race.models import FeedEvent


class RecordedEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: float
    """Wall-clock time the event was received (UNIX s)."""
    event: FeedEvent

    @field_validator("event")
    @classmethod
    def _cleaned(cls, event: FeedEvent) -> FeedEvent:
        """Read from a file or the network, the event's text is the feed's: cleaned here, once
        for every reader of the format (recordings, `http`, `sse`)."""
        return clean_event(event)


class LineError(ValueError):
    """A line that is not a recorded event."""


def encode(event: FeedEvent, at: float) -> str:
    """One line (without its newline)."""
    return RecordedEvent(at=at, event=event).model_dump_json()


def decode(line: str | bytes) -> RecordedEvent:
    try:
        return RecordedEvent.model_validate_json(line)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        raise LineError(clean_text(f"{where}: {first['msg']}")) from None  # It may quote the line.
