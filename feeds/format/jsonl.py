"""Ardoise's own recording format: one JSON object per line, each an event as it was received.

    {"at": 1783513188.41, "event": {"kind": "telemetry", "t": 1783513188, "riders": [...]}}

`at` is the wall-clock time the event was received; `event` is a `FeedEvent` (its JSON schema is
printed by `ardoise schema`). Lines are appended and flushed one by one, so a crash loses at
most the line being written, and a reader skips a truncated last line.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from race.models import FeedEvent


class RecordedEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: float
    """Wall-clock time the event was received (UNIX s)."""
    event: FeedEvent


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
        raise LineError(f"{where}: {first['msg']}") from None
