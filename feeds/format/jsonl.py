"""Ardoise's own recording format: one JSON object per line, each an event as it was received.

    {"at": 1783513188.41, "event": {"kind": "telemetry", "t": 1783513188, "riders": [...]}}

`at` is the wall-clock time the event was received; `event` is a `FeedEvent` (its JSON schema is
printed by `ardoise schema`). Lines are appended and flushed one by one, so a crash loses at
most the line being written, and a reader skips a truncated last line.

Every string of an event read is cleaned (`feeds.text`): a recording, or a served feed, made by
another program or an older Ardoise can carry escape sequences in names and news.

Lines are read as bytes (`read`): a byte that is not UTF-8 spoils its line, not the file, and
a file that cannot be read to its end (a gzip stream cut short, a disk error) ends where it can
no longer be read.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

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


class CutShort(LineError):
    """The file cannot be read past this line (the rest of the recording is lost)."""


UNREADABLE = (EOFError, zlib.error, OSError)
"""What reading a recording further can raise: a gzip stream cut short (`EOFError`), corrupt
(`zlib.error`, `gzip.BadGzipFile`, an `OSError`), or a disk error."""


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


def read(lines: Iterable[bytes]) -> Iterator[tuple[int, RecordedEvent | LineError]]:
    """Each line's number (from 1) and its event, or why it is not one; blank lines are skipped.

    `lines` is a binary file (plain or gzip). A line that cannot be read is a `LineError` and the
    reading goes on; when the file itself cannot be read further, the last item is a `CutShort`
    numbered as the line that was lost.
    """
    number = 0
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, decode(line)
            except LineError as error:
                yield number, error
    except UNREADABLE as error:
        yield number + 1, CutShort(f"the file is cut short ({_reason(error)})")


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    if text.startswith("[Errno"):
        text = text.partition("] ")[2] or text
    return text or type(error).__name__
