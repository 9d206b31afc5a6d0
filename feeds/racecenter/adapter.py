"""The `racecenter` feed: the A.S.O. Race Center live (Tour de France, Vuelta, Dauphiné, ...).

Keyless and public. First the REST records of the stage (`{base_url}/api/{bind}`):

- `allCompetitors-{year}` (riders; team records mixed in are skipped), `team-{year}`,
  `stage-{year}` (every stage of the year: the one configured, or else today's, is used):
  without these three there is no start list, so the adapter retries until it has them;
- `checkpoint-{year}-{stage}` (climbs, the arrival) and the route, `route_bind`: optional. The
  Race Center's own name for the route is not documented; Ardoise asks for
  `trace-{year}-{stage}` (what `ardoise serve --as racecenter` serves). Without a route the
  stage still works: its length comes from the arrival checkpoint or the stage record, and
  there is no profile (and the lead-out ranks riders by km to go only).

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

import json
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from feeds.base import FeedOptions
from feeds.net.failures import Failure
from feeds.net.live import MB, LiveFeed, NetOptions
from feeds.net.sse import ServerSentEvent
from feeds.racecenter.encoding import ROUTE_BIND
from feeds.racecenter.updates import UpdateReader
from feeds.racecenter.wire import FormatError, stage_record, start_list
from feeds.repeats import Repeats
from race.models import FeedEvent, StartList

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

    model_config = ConfigDict(use_attribute_docstrings=True)

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

    route_bind: str = ROUTE_BIND
    """REST bind of the stage's route (`{year}` and `{stage}` are filled in); "" to not ask."""


class RaceCenterFeed(LiveFeed[RaceCenterOptions]):
    """Follows a Race Center live: REST records, then the update stream, reconnecting."""

    name: ClassVar[str] = "racecenter"
    Options: ClassVar[type[FeedOptions]] = RaceCenterOptions

    def __init__(self, options: RaceCenterOptions) -> None:
        super().__init__(options)
        self.base_url = options.base_url.rstrip("/")
        self._text_lines = 0
        self._reader = UpdateReader()
        self.notes: list[str] = []
        """What the REST bootstrap went without (e.g. the route)."""
        self._repeats = Repeats()
        self._last_id: str | None = None

    @property
    def ignored(self) -> int:
        """Updates of binds Ardoise does not use, and data lines that are not JSON."""
        return self._text_lines + self._reader.ignored

    @property
    def other_stage(self) -> int:
        """Frames of another stage ignored so far."""
        return self._reader.other_stage

    async def emit(self, event: FeedEvent) -> None:
        if isinstance(event, StartList):  # The stage the stream's updates are read for.
            self._reader.start(event)
        await super().emit(event)

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
        while True:
            try:
                start = await self._start_list()
                break
            except Failure as failure:
                await self.retry(failure)
        await self.emit(start)
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

    # --- REST ----------------------------------------------------------------------------------

    async def _start_list(self) -> StartList:
        year = self.options.year or date.today().year
        riders = await self._bind(f"allCompetitors-{year}")
        teams = await self._bind(f"team-{year}")
        stages = await self._bind(f"stage-{year}")
        try:
            if self.options.stage is not None:
                record = stage_record(stages, stage=self.options.stage)
            else:
                record = stage_record(stages, date=date.today().isoformat())
        except FormatError:
            which = (
                f"no stage {self.options.stage}"
                if self.options.stage is not None
                else f"no stage on {date.today().isoformat()} (set [feed.racecenter] stage)"
            )
            raise Failure(f"stage-{year}: {which}", transient=False) from None
        number = record.get("stage")
        self.notes = []
        checkpoints = await self._optional(f"checkpoint-{year}-{number}", "climbs")
        trace = None
        if self.options.route_bind:
            trace = await self._optional(
                self.options.route_bind.format(year=year, stage=number), "route profile"
            )
        try:
            return start_list(
                race=self.race,
                year=year,
                stage=record,
                riders=riders if isinstance(riders, list) else [],
                teams=teams if isinstance(teams, list) else [],
                trace=trace if isinstance(trace, dict) else None,
                checkpoints=checkpoints,
            )
        except (FormatError, ValueError, TypeError) as error:
            raise Failure(f"stage-{year}: {error}", transient=False, bad_data=True) from None

    async def _bind(self, bind: str) -> Any:
        _, body = await self.get(f"{self.base_url}/api/{bind}")
        try:
            return json.loads(body)
        except ValueError:
            raise Failure(f"{bind}: not JSON", bad_data=True) from None

    async def _optional(self, bind: str, what: str) -> Any:
        try:
            return await self._bind(bind)
        except Failure as failure:
            self.notes.append(f"no {what} ({bind}: {failure.reason})")
            return None

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
