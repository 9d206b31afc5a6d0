"""The `recording` feed: replays a recorded stage at any speed, with pause.

Two formats, told apart by their content (either may be gzip-compressed):

- Ardoise's own recordings (`feeds.format.jsonl`, written by `ardoise record`): one event per line.
- Race Center recordings: one JSON document `{"version", "meta", "rest", "events"}` holding the
  REST records of the stage and every live-stream update with its delay (`dt`), read as a
  stream (`feeds.format.racecenter`: one update in memory at a time) and as the live adapter
  reads them (`feeds.racecenter.updates`): an update recorded twice (the live
  stream repeats most of them) is replayed once, and a frame of another stage (the server's
  snapshot on connect) is ignored and counted (`other_stage`), as live.

Frames are paced by their own timestamps (race time), so a replay at 20x shows twenty seconds
of race per second whatever the gaps in the recording.

No byte of a file stops a replay: a line or an update that cannot be read (not JSON, not UTF-8,
not an event) is counted and skipped; a file cut short (a truncated gzip stream or JSON
document) is replayed up to the cut, which counts as one bad event, and the replay ends with an
`error` status that says where the file stops.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, FilePath

from feeds.base import Capabilities, FeedAdapter, FeedError, FeedOptions
from feeds.format.files import open_binary
from feeds.format.jsonl import CutShort, LineError, read
from feeds.format.racecenter import SURROGATE, RaceCenterRecording, Stop, open_racecenter
from feeds.pacing import FeedTimeline, GoAhead, ReplayClock, head_km
from feeds.racecenter.updates import UpdateReader
from feeds.racecenter.wire import FormatError, stage_record, start_list
from feeds.repeats import Repeats
from race.models import FeedEvent, FeedState, FeedStatus, StartList, Telemetry

SNIFF_BYTES = 4096
RACECENTER_KEYS = ("version", "rest", "meta", "events")
"""One of them begins a Race Center recording (in any order)."""

RecordingFormat = Literal["ardoise", "racecenter"]


class RecordingOptions(FeedOptions):
    """Options of the recording feed (`[feed.recording]`, `path` and `speed` from `[feed]`)."""

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
        with open_binary(path) as stream:
            start = stream.read(SNIFF_BYTES)
    except OSError as error:
        raise FeedError(f"cannot read {path}: {error}") from None
    text = start.lstrip()
    if text.startswith(b'{"at"') or b'"event"' in text.split(b"\n", 1)[0]:
        return "ardoise"
    if text.startswith(b"{") and any(f'"{key}"'.encode() in text for key in RACECENTER_KEYS):
        return "racecenter"
    raise FeedError(f"{path} is neither an Ardoise nor a Race Center recording")


class RecordingFeed(FeedAdapter[RecordingOptions]):
    """Replays a recording file (see the module docstring for the formats)."""

    name: ClassVar[str] = "recording"
    Options: ClassVar[type[FeedOptions]] = RecordingOptions
    capabilities: ClassVar[Capabilities] = Capabilities(pause=True, seek=True)

    def __init__(self, options: RecordingOptions) -> None:
        super().__init__(options)
        self.format = sniff(options.path)
        self._clock = ReplayClock(options.speed)
        self._catch_up = ReplayClock(0.0)
        self._timeline = FeedTimeline()
        self._ahead = GoAhead(self._clock)
        self.rejected = 0
        self.other_stage = 0
        """Race Center frames of another stage ignored so far."""

    def pause(self) -> None:
        self._clock.pause()
        self._catch_up.pause()

    def resume(self) -> None:
        self._clock.resume()
        self._catch_up.resume()

    @property
    def speed(self) -> float:
        return self._clock.speed

    def set_speed(self, speed: float) -> None:
        self._clock.set_speed(speed)

    def go_ahead_to_km(self, km: float) -> None:
        self._ahead.request(km)

    async def events(self) -> AsyncIterator[FeedEvent]:
        path = self.options.path
        skip = self.options.skip_to_km
        caught_up = skip is None
        # "connecting" until the skip is done: the app draws the race from there on.
        replaying = f"replaying {path.name}"
        if skip is None:
            yield self._status("live", replaying)
        else:
            yield self._status("connecting", f"{replaying}: skipping to {skip:g} km to go")
        cut: str | None = None
        source = self._ardoise_events() if self.format == "ardoise" else self._racecenter_events()
        for item in source:
            if isinstance(item, _OtherStage):
                self.other_stage = item.count
                yield self._status("live" if caught_up else "connecting", item.said)
                continue
            if isinstance(item, _Unread):
                self.rejected += 1
                if item.cut:
                    cut = item.reason  # Nothing comes after it.
                    continue
                yield self._status("live" if caught_up else "connecting", item.reason)
                continue
            if isinstance(item, Telemetry):
                if not caught_up and skip is not None:
                    head = head_km(item)
                    caught_up = head is not None and head <= skip
                    if caught_up:
                        yield self._status("live", replaying)
                ahead = self._ahead.passing(item)
                due = self._timeline.due(item.t)
                if due is not None:  # A time that cannot be paced (NaN, a jump) goes at once.
                    paced = caught_up and not ahead
                    await (self._clock if paced else self._catch_up).wait_until(due)
            elif isinstance(item, FeedStatus):
                continue  # The recorded feed's own status is history, not this replay's.
            yield item
        if cut is not None:
            detail = f"end of {path.name}: {cut}"
            yield self._status("error", detail)
            return
        yield self._status("ended", f"end of {path.name}")

    def _status(self, state: FeedState, detail: str) -> FeedStatus:
        """The replay's status now, with what it has set aside so far."""
        return FeedStatus(
            state=state,
            at=time.time(),
            detail=detail,
            rejected=self.rejected,
            other_stage=self.other_stage,
        )

    def _ardoise_events(self) -> Iterator[FeedEvent | _Unread | _OtherStage]:
        with open_binary(self.options.path) as stream:
            for number, item in read(stream):
                if isinstance(item, CutShort):
                    yield _Unread(f"{item} at line {number}", cut=True)
                elif isinstance(item, LineError):
                    yield _Unread(f"line {number}: {item}")
                else:
                    yield item.event

    def _racecenter_events(self) -> Iterator[FeedEvent | _Unread | _OtherStage]:
        recording = open_racecenter(self.options.path)
        start = self._start_list(recording)
        reader = UpdateReader()
        reader.start(start)
        yield start
        yield from reader.stage_weather(recording.rest.get("checkpoints"))
        repeats = Repeats()
        for number, entry in enumerate(recording.events(), start=1):
            if isinstance(entry, Stop):
                yield _Unread(f"{entry.reason} after event {entry.after}", cut=True)
                break
            data = entry.get("data") if isinstance(entry, dict) else None
            if not isinstance(data, str):
                yield _Unread(f"event {number}: no data")
                continue
            if SURROGATE.search(data):  # Checked first: nothing can encode it, not even a hash.
                yield _Unread(f"event {number}: not UTF-8 text")
                continue
            if repeats.seen(data):
                continue  # The live stream sent it twice: as the live adapter, deliver it once.
            try:
                events = reader.read(data)
            except FormatError as error:
                yield _Unread(f"event {number}: {error}")
                continue
            if reader.other_stage_reason is not None:
                yield _OtherStage(reader.other_stage, reader.other_stage_said())
            yield from events

    def _start_list(self, recording: RaceCenterRecording) -> StartList:
        rest, meta = recording.rest, recording.meta
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
        except (FormatError, ValueError, TypeError) as error:
            raise FeedError(f"{self.options.path}: {error}") from None


@dataclass(frozen=True)
class _OtherStage:
    """A frame of another stage was ignored: the count so far, and that said for the status."""

    count: int
    said: str


@dataclass(frozen=True)
class _Unread:
    """A line or an update that could not be read (counted), or where the file stops (`cut`)."""

    reason: str
    cut: bool = False
