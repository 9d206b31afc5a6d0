"""Race Center recordings, read as a stream.

A recording is one JSON document, gzip-compressed or not:

    {"version": 1, "meta": {...}, "rest": {...}, "events": [{"dt": MS, "data": "..."}, ...]}

(`../shared/data/racecenter/README.md` says what each member holds). A stage's events make
most of it (33 MB of text for a road stage): they are decoded one at a time as the file is read
and never held together. `open_racecenter` reads the other members (the REST records, `meta`)
first; when `rest` or `meta` comes after `events` in the document, the file is read twice (the
first time only to find them, each event decoded and dropped).

No byte of a file stops a reading: bytes that are not UTF-8 stay in the text as surrogates, so
that the one event holding them can be rejected, not the file (in `rest` and `meta` they become
U+FFFD). A file cut short (a truncated gzip stream or JSON document) gives every complete event
before the cut, then a `Stop` saying where and why it ends.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path
from typing import Any, Final

from feeds.base import FeedError
from feeds.format.files import open_binary
from feeds.format.jsonl import UNREADABLE

CHUNK_BYTES = 1 << 18
"""Read at a time: about ten updates of a full field."""
SURROGATE = re.compile("[\ud800-\udfff]")
"""What stands in text for a byte that was not UTF-8 (or a lone `\\udXXX` JSON escape)."""
WHITESPACE = re.compile(r"[ \t\n\r]*")
NEAR_END = 6
"""A decoding error this near the end of the text read so far can be that end cutting a token
in two (the longest: `\\uXXXX`): more is read and the value decoded again."""
META_KEYS: Final = ("rest", "meta")


@dataclass(frozen=True)
class Stop:
    """Where a recording stops short: why, and how many events were read before."""

    reason: str
    after: int


@dataclass(frozen=True)
class _Member:
    key: str
    value: Any


class _EventsAhead:
    """The `events` list starts here (the next items are its entries)."""


EVENTS_AHEAD: Final = _EventsAhead()


class _Unreadable(Exception):
    """The text cannot be read further: `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Text:
    """The text of a file as it is read and decoded, chunk by chunk: what has not been consumed
    yet, and its position in the whole text (for messages)."""

    def __init__(self, stream: BufferedIOBase) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self.text = ""
        self.at = 0
        """Where reading is in `text`."""
        self.base = 0
        """The position of `text[0]` in the whole text."""
        self.ended = False
        self.cut: str | None = None
        """Why the file could not be read to its end (once it ended)."""
        self.read_any = False

    def more(self) -> bool:
        """Read the next chunk onto the text; False at the end of the file (or its cut)."""
        if self.ended:
            return False
        try:
            # `read1`: what one read decompressed, kept even if the next one finds the cut.
            chunk = self._stream.read1(CHUNK_BYTES)
        except UNREADABLE as error:
            self.cut = f"the file is cut short ({error})"
            chunk = b""
        final = not chunk
        text = self._decoder.decode(chunk, final=final)
        self.ended = final
        self.read_any = self.read_any or bool(chunk)
        self.base += self.at
        self.text = self.text[self.at :] + text
        self.at = 0
        return bool(text) or not final

    def skip(self) -> str:
        """Skip whitespace: the next character, "" at the end of the text."""
        while True:
            found = WHITESPACE.match(self.text, self.at)
            self.at = found.end() if found else self.at
            if self.at < len(self.text):
                return self.text[self.at]
            if not self.more():
                return ""

    def expect(self, char: str) -> bool:
        """Consume `char` if it comes next (after whitespace)."""
        if self.skip() != char:
            return False
        self.at += 1
        return True

    def value(self) -> tuple[Any, int, int]:
        """The next JSON value, with where it starts and ends in `text`; reads as much of the
        file as it takes."""
        decoder = _DECODER
        self.skip()
        while True:
            start = self.at
            try:
                found, end = decoder.raw_decode(self.text, start)
            except RecursionError:
                raise self.unreadable() from None
            except json.JSONDecodeError as error:
                if not self._maybe_cut(error) or not self.more():
                    raise self.unreadable() from None
                continue
            if end < len(self.text) or self.ended or not self.more():  # A number may go on.
                self.at = end
                return found, start, end

    def _maybe_cut(self, error: json.JSONDecodeError) -> bool:
        """Whether `error` can be the end of the text read so far cutting a value in two."""
        near_end = error.pos >= len(error.doc) - NEAR_END
        return near_end or error.msg.startswith("Unterminated string")

    def unreadable(self) -> _Unreadable:
        """Reading cannot go on from here."""
        return _Unreadable(f"the JSON document is unreadable from character {self.base + self.at}")

    def drain(self) -> None:
        """Read the file to its end (or its cut), dropping the text."""
        while not self.ended:
            self.base += len(self.text)
            self.text, self.at = "", 0
            self.more()


_DECODER = json.JSONDecoder()


def _walk(path: Path) -> Generator[_Member | _EventsAhead | Any | Stop, None, None]:
    """The document's members in order; where `events` starts, `EVENTS_AHEAD` then its entries;
    a `Stop` last if the file stops short."""
    try:
        stream = open_binary(path)
    except OSError as error:
        raise FeedError(f"cannot read {path}: {error}") from None
    with stream:
        text = _Text(stream)
        count = 0
        try:
            if not text.expect("{"):
                raise text.unreadable()
            if text.expect("}"):
                return
            while True:
                key, _, _ = text.value()
                if not isinstance(key, str) or not text.expect(":"):
                    raise text.unreadable()
                if key == "events" and text.skip() == "[":
                    text.at += 1
                    yield EVENTS_AHEAD
                    for entry in _entries(text):
                        count += 1
                        yield entry
                else:
                    yield _Member(key, _member(path, key, *text.value(), text))
                if text.expect("}"):
                    break
                if not text.expect(","):
                    raise text.unreadable()
            if text.skip():
                raise text.unreadable()  # Something after the document.
        except _Unreadable as error:
            if not text.read_any and text.cut is not None:
                raise FeedError(f"cannot read {path}: {text.cut}") from None
            text.drain()  # A cut of the file is the cause of any cut of the text.
            yield Stop(text.cut or error.reason, count)
            return
        if text.cut is not None:  # Only the end of the stream lost (its size, its checksum).
            yield Stop(text.cut, count)


def _member(path: Path, key: str, value: Any, start: int, end: int, text: _Text) -> Any:
    """A member's value as kept: `rest` and `meta` with undecodable bytes made U+FFFD."""
    if key not in META_KEYS or not SURROGATE.search(text.text, start, end):
        return value
    try:
        return _mended(value)
    except RecursionError:
        raise FeedError(f"{path}: `{key}` is nested too deep") from None


def _entries(text: _Text) -> Iterator[Any]:
    """The entries of the list being read, up to its closing bracket."""
    if text.expect("]"):
        return
    while True:
        entry, _, _ = text.value()
        yield entry
        if text.expect("]"):
            return
        if not text.expect(","):
            raise text.unreadable()


class RaceCenterRecording:
    """A Race Center recording: its members but `events` read when it is opened
    (`open_racecenter`), its events read on demand, one at a time (`events`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.members: dict[str, Any] = {}
        """The document's members but `events`; `rest` and `meta` mended."""
        self.head_stop: Stop | None = None
        """Where the file stops short, if it does before `rest` and `meta` are read."""
        self._pending: Generator[Any, None, None] | None = None
        walk = _walk(path)
        for item in walk:
            if isinstance(item, _Member):
                self.members[item.key] = item.value
            elif isinstance(item, Stop):
                self.head_stop = item
            elif item is EVENTS_AHEAD and all(key in self.members for key in META_KEYS):
                self._pending = walk  # The events go on from here: one reading is enough.
                break
            # Else an event before `rest` or `meta`: read past (a second reading gives it).

    @property
    def rest(self) -> dict[str, Any]:
        found = self.members.get("rest")
        return found if isinstance(found, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        found = self.members.get("meta")
        return found if isinstance(found, dict) else {}

    def events(self) -> Iterator[Any | Stop]:
        """Each entry of `events`, decoded as the file is read; a `Stop` last if the file stops
        short. Each call reads them from the first."""
        walk, self._pending = self._pending, None
        inside = walk is not None
        if walk is None:
            walk = _walk(self.path)
        with closing(walk):
            for item in walk:
                if item is EVENTS_AHEAD:
                    inside = True
                elif isinstance(item, _Member):
                    inside = False
                elif inside or isinstance(item, Stop):
                    yield item


def open_racecenter(path: Path) -> RaceCenterRecording:
    """Open a Race Center recording: its REST records and `meta` read, its events not yet.
    `FeedError` when the file cannot be read or not even its `rest` records can be."""
    recording = RaceCenterRecording(path)
    if "rest" not in recording.members or not isinstance(recording.members["rest"], dict):
        stop = recording.head_stop
        because = f" ({stop.reason})" if stop else ""
        raise FeedError(f"{path}: no `rest` records{because}")
    return recording


def _mended(value: Any) -> Any:
    """`value` with every undecodable byte in its text replaced by U+FFFD."""
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_mended(v) for v in value]
    if isinstance(value, dict):
        return {_mended(k): _mended(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class WholeRecording:
    """A Race Center recording held whole in memory (see `read_racecenter`)."""

    document: dict[str, Any]
    """The top-level object, `events` a list of its complete entries."""
    cut: str | None = None
    """Why the file could not be read to its end."""

    @property
    def events(self) -> list[Any]:
        found = self.document.get("events")
        return found if isinstance(found, list) else []


def read_racecenter(path: Path) -> WholeRecording:
    """The whole recording, every event in one list: for tests and tools that need them all at
    once (a replay reads them one at a time: `open_racecenter`). Errors as `open_racecenter`."""
    recording = open_racecenter(path)
    events: list[Any] = []
    cut: str | None = None
    for entry in recording.events():
        if isinstance(entry, Stop):
            cut = entry.reason
        else:
            events.append(entry)
    return WholeRecording({**recording.members, "events": events}, cut)
