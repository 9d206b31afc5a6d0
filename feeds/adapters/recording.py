"""The `recording` feed: replays a recorded stage at any speed, with pause.

Two formats, told apart by their content (either may be gzip-compressed):

- Ardoise's own recordings (`feeds.format.jsonl`, written by `ardoise record`): one event per line.
- Race Center recordings: one JSON document `{"version", "meta", "rest", "events"}` holding the
  REST records of the stage and every live-stream update with its delay (`dt`). An update
  recorded twice (the live stream repeats most of them) is replayed once, as live.

Frames are paced by their own timestamps (race time), so a replay at 20x shows twenty seconds
of race per second whatever the gaps in the recording.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, FilePath

from feeds.base import Capabilities, FeedAdapter, FeedError, FeedOptions
from feeds.format.jsonl import LineError, decode
from feeds.pacing import FeedTimeline, ReplayClock
from feeds.racecenter.wire import FormatError, parse_update, stage_record, start_list
from feeds.repeats import Repeats
from race.models import FeedEvent, FeedStatus, Telemetry

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096

RecordingFormat = Literal["ardoise", "racecenter"]


class RecordingOptions(FeedOptions):
    """Options of the recording feed (`[feed.recording]`, `path` and `speed` from `[feed]`)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    path: FilePath
    """The recording: an Ardoise JSONL recording or a Race Center recording, gzip or not."""

    speed: float = Field(default=1.0, ge=0, le=1000)
    """Replay speed: 1 = real time, 20 = twenty times faster, 0 = as fast as possible."""

    skip_to_km: float | None = Field(default=None, ge=0)
    """Frames before the head of the race reaches this many km to go are delivered at once."""

    race: str = "Tour de France"
    """Name of the race, for Race Center recordings (they do not carry it)."""


def sniff(path: Path) -> RecordingFormat:
    """Which format a file is in, from its first bytes; `FeedError` if neither."""
    try:
        with path.open("rb") as raw:
            head = raw.read(2)
        opener = gzip.open if head == GZIP_MAGIC else open
        with opener(path, "rb") as stream:
            start = stream.read(SNIFF_BYTES)
    except OSError as error:
        raise FeedError(f"cannot read {path}: {error}") from None
    text = start.lstrip()
    if text.startswith(b'{"at"') or b'"event"' in text.split(b"\n", 1)[0]:
        return "ardoise"
    if text.startswith(b"{") and (b'"rest"' in text or b'"version"' in text):
        return "racecenter"
    raise FeedError(f"{path} is neither an Ardoise nor a Race Center recording")


class RecordingFeed(FeedAdapter[RecordingOptions]):
    """Replays a recording file (see the module docstring for the formats)."""

    name: ClassVar[str] = "recording"
    Options: ClassVar[type[FeedOptions]] = RecordingOptions
    capabilities: ClassVar[Capabilities] = Capabilities(pause=True)

    def __init__(self, options: RecordingOptions) -> None:
        super().__init__(options)
        self.format = sniff(options.path)
        self._clock = ReplayClock(options.speed)
        self._catch_up = ReplayClock(0.0)
        self._timeline = FeedTimeline()
        self.rejected = 0

    def pause(self) -> None:
        self._clock.pause()
        self._catch_up.pause()

    def resume(self) -> None:
        self._clock.resume()
        self._catch_up.resume()

    async def events(self) -> AsyncIterator[FeedEvent]:
        path = self.options.path
        yield FeedStatus(state="live", at=time.time(), detail=f"replaying {path.name}")
        skip = self.options.skip_to_km
        caught_up = skip is None
        source = self._ardoise_events() if self.format == "ardoise" else self._racecenter_events()
        for item in source:
            if isinstance(item, str):  # A line that could not be read.
                self.rejected += 1
                yield FeedStatus(state="live", at=time.time(), detail=item, rejected=self.rejected)
                continue
            if isinstance(item, Telemetry):
                if not caught_up and skip is not None:
                    kms = [f.km_to_finish for f in item.riders if f.km_to_finish is not None]
                    caught_up = bool(kms) and min(kms) <= skip
                due = self._timeline.due(item.t)
                if due is not None:  # A time that cannot be paced (NaN, a jump) goes at once.
                    await (self._clock if caught_up else self._catch_up).wait_until(due)
            elif isinstance(item, FeedStatus):
                continue  # The recorded feed's own status is history, not this replay's.
            yield item
        yield FeedStatus(
            state="ended", at=time.time(), detail=f"end of {path.name}", rejected=self.rejected
        )

    def _open_text(self) -> Any:
        path = self.options.path
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        if compressed:
            return gzip.open(path, "rt", encoding="utf-8")
        return path.open("r", encoding="utf-8")

    def _ardoise_events(self) -> Iterator[FeedEvent | str]:
        with self._open_text() as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    yield decode(line).event
                except LineError as error:
                    yield f"line {number}: {error}"

    def _racecenter_events(self) -> Iterator[FeedEvent | str]:
        try:
            with self._open_text() as stream:
                document = json.load(stream)
        except (OSError, ValueError, EOFError) as error:
            raise FeedError(f"cannot read {self.options.path}: {error}") from None
        if not isinstance(document, dict) or not isinstance(document.get("rest"), dict):
            raise FeedError(f"{self.options.path}: no `rest` records")
        yield self._start_list(document)
        repeats = Repeats()
        for number, entry in enumerate(document.get("events") or [], start=1):
            data = entry.get("data") if isinstance(entry, dict) else None
            if not isinstance(data, str):
                yield f"event {number}: no data"
                continue
            if repeats.seen(data):
                continue  # The live stream sent it twice: as the live adapter, deliver it once.
            try:
                frame = parse_update(data)
            except FormatError as error:
                yield f"event {number}: {error}"
                continue
            if frame is not None:
                yield frame

    def _start_list(self, document: dict[str, Any]) -> FeedEvent:
        rest = document["rest"]
        found = document.get("meta")
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        try:
            stage = stage_record(rest.get("stages") or {}, date=meta.get("date"))
            return start_list(
                race=self.options.race,
                year=int(meta.get("year") or str(meta.get("date", "0"))[:4]),
                stage=stage,
                riders=rest.get("riders") or [],
                teams=rest.get("teams") or [],
                trace=rest.get("trace"),
                checkpoints=rest.get("checkpoints"),
            )
        except (FormatError, ValueError) as error:
            raise FeedError(f"{self.options.path}: {error}") from None
