"""The `racecenter` feed: the A.S.O. Race Center live (Tour de France, Vuelta, Dauphiné, ...).

Keyless and public. First the REST records of the stage (`feeds.racecenter.bootstrap`): the
riders and the stages, required (today's stage is found in the race's own time zone; a day
without one is a `waiting` status, polled quietly), the climbs, the teams' bind and the route
(the organiser's trace file, kept in `cache_dir`), optional, each waited for only
`optional_wait_s` and the start list emitted again when one comes later. Without a route the
stage still works: its length comes from the arrival checkpoint or the stage record, and there
is no profile (and the lead-out ranks riders by km to go only).

Then the live stream (`{base_url}/live-stream`, `event: update`, data `{"bind", "data"}`),
read by `feeds.racecenter.updates`: telemetry updates become frames, those of another stage
(the server's snapshot on connect can be yesterday's) are ignored and counted (`other_stage`,
said in the status); the organiser's groups, withdrawals and checkpoint weather become their
events; an update received before is skipped (the Race Center sends most updates twice, see
`feeds.repeats`); other binds and data lines that are not JSON objects (keep-alives) are
ignored; a JSON update that cannot be read is counted as bad. The Race Center ends its streams
every few minutes, often by a mis-sized chunk: a stream that worked is reopened at once,
without a status (`feeds.net.live`).
`Last-Event-ID` is sent when the server numbers its events (`ardoise serve` does, so a relay
loses nothing across a blackout; the Race Center itself only sends what comes next).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from feeds.base import FeedOptions
from feeds.net.failures import Failure
from feeds.net.live import MB, LiveFeed, NetOptions
from feeds.net.sse import ServerSentEvent
from feeds.racecenter.bootstrap import Bootstrap
from feeds.racecenter.encoding import ROUTE_BIND
from feeds.racecenter.route import RouteCache
from feeds.racecenter.updates import UpdateReader
from feeds.racecenter.wire import FormatError
from feeds.repeats import Repeats
from race.models import FeedEvent, FeedState, FeedStatus, StartList

TOUR_DE_FRANCE = "https://racecenter.letour.fr"
RACES_BY_HOST = (
    ("letourfemmes", "Tour de France Femmes"),
    ("letour", "Tour de France"),
    ("lavuelta", "La Vuelta"),
    ("dauphine", "Critérium du Dauphiné"),
    ("paris-nice", "Paris-Nice"),
    ("parisroubaix", "Paris-Roubaix"),
)
"""Race names by a part of the Race Center's host name (the records do not carry the race)."""
UPDATE_EVENTS = ("update", "")
"""SSE event names that carry updates (the Race Center sends `update`)."""


class RaceCenterOptions(NetOptions):
    """Options of the `racecenter` feed (`[feed.racecenter]`)."""

    base_url: str = Field(default=TOUR_DE_FRANCE, pattern=r"^https?://")
    """The Race Center: the Tour's by default; e.g. "https://racecenter.lavuelta.es", or an
    `ardoise serve --as racecenter` relay."""

    year: int | None = Field(default=None, ge=1990, le=2200)
    """The edition (the binds are named by year); default: this year."""

    stage: int | None = Field(default=None, ge=0, le=30)
    """The stage number; default: today's stage, from the dates of `stage-{year}`."""

    race: str | None = None
    """Name of the race; default: from the host name (letour → "Tour de France", lavuelta →
    "La Vuelta", ...), else "Tour de France"."""

    route_url: str | None = None
    """Where the organiser publishes the stage's route (its trace file), `{year}` and `{stage}`
    filled in. Default: by the Race Center's host (the Tour's storage for letour.fr; none
    known for other races); "" not to fetch it."""

    route_bind: str = ROUTE_BIND
    """REST bind of the stage's route (`{year}` and `{stage}` are filled in), asked when the
    trace file is not had (what `ardoise serve --as racecenter` serves); "" to not ask."""

    cache_dir: Path | None = None
    """Where fetched routes are kept, so that a restart needs no network. Default: the user's
    cache folder (e.g. ~/.cache/ardoise)."""

    optional_wait_s: float = Field(default=4.0, gt=0, le=60)
    """The first screen waits at most this long for each optional record (the climbs, the
    route, the teams' bind) once the required ones are in; one that comes later is added."""

    poll_s: float = Field(default=60.0, gt=0, le=3600)
    """How often records not published yet (a stage not published, a rest day's next stage, a
    route still missing) are asked again, quietly."""

    @field_validator("route_url", "route_bind")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value:
            try:
                value.format(year=2026, stage=1)
            except (KeyError, IndexError, ValueError) as error:
                raise ValueError(
                    f"only {{year}} and {{stage}} can be filled in ({error})"
                ) from None
        return value


class RaceCenterFeed(LiveFeed[RaceCenterOptions]):
    """Follows a Race Center live: REST records, then the update stream, reconnecting."""

    name: ClassVar[str] = "racecenter"
    Options: ClassVar[type[FeedOptions]] = RaceCenterOptions

    def __init__(self, options: RaceCenterOptions, *, now: Callable[[], float] = time.time) -> None:
        super().__init__(options)
        self.base_url = options.base_url.rstrip("/")
        self.now = now
        """The clock (UNIX s) today's stage is found with: tests pick any instant."""
        self._text_lines = 0
        self._reader = UpdateReader()
        self._repeats = Repeats()
        self._last_id: str | None = None
        self._bootstrap = Bootstrap(
            self, RouteCache(options.cache_dir or _user_cache(), self.base_url)
        )
        self._waiting_for = ""

    @property
    def notes(self) -> list[str]:
        """What the start list goes without (e.g. the route), and why."""
        return list(self._bootstrap.notes.values())

    @property
    def ignored(self) -> int:
        """Updates of binds Ardoise does not use, and data lines that are not JSON."""
        return self._text_lines + self._reader.ignored

    @property
    def other_stage(self) -> int:
        """Frames of another stage ignored so far."""
        return self._reader.other_stage

    def status(
        self, state: FeedState, detail: str, *, retry_in_s: float | None = None
    ) -> FeedStatus:
        """Every status carries the count of frames of another stage, for the header."""
        said = super().status(state, detail, retry_in_s=retry_in_s)
        return said.model_copy(update={"other_stage": self.other_stage})

    async def emit(self, event: FeedEvent) -> None:
        if isinstance(event, StartList):  # The stage the stream's updates are read for.
            self._reader.start(event)
        await super().emit(event)
        records = self._bootstrap.records
        if isinstance(event, StartList) and records is not None:
            for weather in self._reader.stage_weather(records.checkpoints):
                await super().emit(weather)

    @property
    def where(self) -> str:
        return self.base_url

    @property
    def race(self) -> str:
        if self.options.race:
            return self.options.race
        host = urlsplit(self.base_url).hostname or ""
        return next((name for part, name in RACES_BY_HOST if part in host), "Tour de France")

    async def run(self) -> None:
        start = await self._bootstrap.start_list()
        await self.emit(start)
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._bootstrap.complete(), name="racecenter: records later")
                tasks.create_task(self._stream(), name="racecenter: stream")
        except* Exception as failed:  # A bug: raised as itself, not as a group.
            raise failed.exceptions[0] from None

    async def _stream(self) -> None:
        stream = f"{self.base_url}/live-stream"
        while True:
            try:
                got, _ = await self.stream(stream, self._on_event, last_event_id=self._last_id)
            except Failure as failure:
                await self.retry(failure)
                continue
            if not got:
                await self.retry(Failure("the server closed the stream without sending anything"))
            # Otherwise: the Race Center ended a stream that worked, as it does: reopen at once.

    async def waiting(self, detail: str) -> None:
        """Nothing to follow yet (a rest day, records not published): say why, once."""
        self.failures = 0
        if (self.link, self._waiting_for) != ("waiting", detail):
            self.link, self._waiting_for = "waiting", detail
            await self._put(self.status("waiting", detail))

    async def aclose(self) -> None:
        self._bootstrap.close()
        await super().aclose()

    async def connected(self, detail: str) -> None:
        notes = "; ".join(self.notes)
        await super().connected(f"{detail} · {notes}" if notes else detail)

    # --- The live stream -----------------------------------------------------------------------

    async def _on_event(self, sse: ServerSentEvent) -> bool:
        if sse.id:
            self._last_id = sse.id
        if sse.oversized:
            await self.reject(f"update of {sse.oversized / MB:.1f} MB, over the limit")
            return True
        if sse.event not in UPDATE_EVENTS:
            return True
        data = sse.data.strip()
        if not data.startswith("{"):
            self._text_lines += 1  # Keep-alives and other text: not updates.
            return True
        if self._repeats.seen(data):
            self.duplicates += 1
            return True
        try:
            events = self._reader.read(data)
        except FormatError as error:
            await self.reject(str(error))
            return True
        if self._reader.other_stage_reason is not None:
            await self.notice(self._reader.other_stage_said())
        for event in events:
            await self.emit(event)
        return True


def _user_cache() -> Path:
    """The user's cache folder for Ardoise (read when a feed is made, never at import)."""
    import platformdirs

    return platformdirs.user_cache_path("ardoise")
