"""The Race Center's REST bootstrap: the records of the stage to follow, before its stream.

Required: `stage-{year}` (every stage of the year: the one configured, or else today's in the
race's own zone, `feeds.racecenter.calendar`) and `allCompetitors-{year}` (the riders, with the
team records mixed in). Failures are retried as every network failure is (`reconnecting`,
`error`); a day with nothing to follow (before the race, a rest day, after it, records not
published yet: the Race Center answers 204 for a bind it has not published) is a `waiting`
status saying so, and the records are asked again every `poll_s`, quietly.

Optional: `team-{year}` (only when `allCompetitors` carries no team record),
`checkpoint-{year}-{stage}` (the climbs, the arrival) and the route (the organiser's trace
file, `feeds.racecenter.route`, then the REST bind `route_bind`, kept in `cache_dir`). They
are asked beside the required ones and never hold the first screen back for long: the start
list is emitted once the required records are in and each optional one is in or has had its
`optional_wait_s`. One that comes later (still on its way, or published later: asked again
every `poll_s`) makes the start list emitted again: the same stage, with more in it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feeds.net.failures import Failure
from feeds.racecenter.calendar import NOT_PUBLISHED, Waiting, todays_stage
from feeds.racecenter.route import RouteCache, trace_url, usable_trace
from feeds.racecenter.wire import FormatError, stage_record, start_list
from race.models import StartList

if TYPE_CHECKING:
    from feeds.racecenter.adapter import RaceCenterFeed

NO_CONTENT = 204
"""The Race Center's answer for a bind it has not published yet."""


@dataclass(frozen=True)
class Missing:
    """An optional record not had, and whether asking again later may give it."""

    reason: str
    again: bool


@dataclass
class Records:
    """What the bootstrap has of the stage so far."""

    year: int
    number: int
    stage: Mapping[str, Any]
    riders: list[Any]
    teams: list[Any] = field(default_factory=list)
    checkpoints: Any = None
    trace: dict[str, Any] | None = None


def team_records(records: list[Any]) -> list[Any]:
    """The team records mixed into `allCompetitors-{year}` (no bib, a team code)."""
    return [
        r
        for r in records
        if isinstance(r, dict) and "bib" not in r and isinstance(r.get("code"), str)
    ]


class Bootstrap:
    """The REST part of a `RaceCenterFeed`: `start_list()` first, then `complete()` beside
    the stream."""

    def __init__(self, feed: RaceCenterFeed, cache: RouteCache) -> None:
        self.feed = feed
        self.options = feed.options
        self.cache = cache
        self.notes: dict[str, str] = {}
        """What the start list goes without, by part ("route profile": "no route profile
        (trace-2026-16: HTTP 404 Not Found)"); a part that comes later takes its note away."""
        self.records: Records | None = None
        self._later: dict[str, asyncio.Task[Any]] = {}
        """Optional parts still on their way when the start list was first emitted."""
        self._again: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {}
        """Optional parts to ask again later, by part."""

    # --- The first start list ------------------------------------------------------------------

    async def start_list(self) -> StartList:
        """The stage's start list, once there is one (waiting and retrying until then)."""
        while True:
            try:
                found = await self._attempt()
            except Failure as failure:
                self.close()
                await self.feed.retry(failure)
                continue
            if isinstance(found, StartList):
                return found
            await self.feed.waiting(found.detail)
            await asyncio.sleep(self.options.poll_s)

    async def _attempt(self) -> StartList | Waiting:
        self.notes = {}
        year = self.options.year or datetime.fromtimestamp(self.feed.now(), UTC).year
        stages = await self._bind(f"stage-{year}")
        if not stages:
            return Waiting(NOT_PUBLISHED)
        record = self._stage(stages, year)
        if isinstance(record, Waiting):
            return record
        number = record.get("stage")
        if not isinstance(number, int):
            raise Failure(f"stage-{year}: a stage record without a number", bad_data=True)
        parts: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
            "climbs": lambda: self._checkpoints(year, number),
            "route profile": lambda: self._route(year, number),
        }
        loop = asyncio.get_running_loop()
        tasks: dict[str, asyncio.Task[Any]] = {
            p: asyncio.create_task(f()) for p, f in parts.items()
        }
        deadline = loop.time() + self.options.optional_wait_s
        handed_over = False
        try:
            riders = await self._bind(f"allCompetitors-{year}")
            if not riders or not isinstance(riders, list):
                return Waiting("Riders not published yet")
            teams = team_records(riders)
            if not teams:  # Then the teams' own bind (a few seasons have it alone).
                parts["teams"] = lambda: self._optional(f"team-{year}")
                tasks["teams"] = asyncio.create_task(parts["teams"]())
                deadline = loop.time() + self.options.optional_wait_s
            await asyncio.wait(tasks.values(), timeout=max(0.0, deadline - loop.time()))
            handed_over = True
        finally:
            if not handed_over:
                for task in tasks.values():
                    task.cancel()
        self.records = Records(year=year, number=number, stage=record, riders=riders, teams=teams)
        self._later, self._again = {}, {}
        for part, task in tasks.items():
            if task.done():
                self._take(part, task.result(), parts[part])
            else:  # Still on its way: `complete()` waits for it.
                self._later[part] = task
                self._again[part] = parts[part]
        return self._start_list()

    def _stage(self, stages: Any, year: int) -> Mapping[str, Any] | Waiting:
        """The configured stage's record, or else today's (or what to wait for)."""
        if self.options.stage is None:
            return todays_stage(stages, self.feed.now())
        try:
            return stage_record(stages, stage=self.options.stage)
        except FormatError:
            raise Failure(f"stage-{year}: no stage {self.options.stage}", transient=False) from None

    def _start_list(self) -> StartList:
        r = self.records
        assert r is not None, "built after the required records"
        try:
            return start_list(
                race=self.feed.race,
                year=r.year,
                stage=r.stage,
                riders=r.riders,
                teams=r.teams,
                trace=r.trace,
                checkpoints=r.checkpoints,
            )
        except (FormatError, ValueError, TypeError) as error:
            raise Failure(f"stage-{r.year}: {error}", transient=False, bad_data=True) from None

    def close(self) -> None:
        """Stop fetching the optional records still on their way."""
        for task in self._later.values():
            task.cancel()
        self._later = {}

    # --- What comes later ----------------------------------------------------------------------

    async def complete(self) -> None:
        """Wait for the optional parts still on their way, ask again every `poll_s` for those
        not published yet, and emit the start list again each time one comes."""
        await asyncio.gather(*(self._keep_asking(part) for part in list(self._again)))

    async def _keep_asking(self, part: str) -> None:
        fetch = self._again[part]
        pending = self._later.pop(part, None)
        result = await pending if pending is not None else Missing("", again=True)
        while isinstance(result, Missing) and result.again:
            await asyncio.sleep(self.options.poll_s)
            result = await fetch()
        self._take(part, result, fetch)
        if not isinstance(result, Missing):
            await self.feed.emit(self._start_list())

    def _take(self, part: str, result: Any, fetch: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Put an optional part's result in the records, or note why it is missing."""
        records = self.records
        assert records is not None, "after the required records"
        if isinstance(result, Missing):
            self.notes[part] = f"no {part} ({result.reason})"
            if result.again:
                self._again[part] = fetch
            return
        self.notes.pop(part, None)
        self._again.pop(part, None)
        if part == "route profile":
            records.trace = result
        elif part == "climbs":
            records.checkpoints = result
        else:
            records.teams = result if isinstance(result, list) else []

    # --- The records ---------------------------------------------------------------------------

    async def _bind(self, bind: str) -> Any:
        """A REST record; None when the Race Center has not published it yet (204, or an
        empty body). Raises `Failure`."""
        try:
            _, body = await self.feed.get(f"{self.feed.base_url}/api/{bind}")
        except Failure as failure:
            if failure.status == NO_CONTENT:
                return None
            raise
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError:
            raise Failure(f"{bind}: not JSON", bad_data=True) from None

    async def _optional(self, bind: str) -> Any:
        """An optional record, or why it is `Missing`."""
        try:
            found = await self._bind(bind)
        except Failure as failure:
            reason = failure.reason
            if not reason.startswith(f"{bind}:"):
                reason = f"{bind}: {reason}"
            return Missing(reason, again=failure.transient)
        if found is None:
            return Missing(f"{bind}: not published yet", again=True)
        return found

    async def _checkpoints(self, year: int, number: int) -> Any:
        return await self._optional(f"checkpoint-{year}-{number}")

    async def _route(self, year: int, number: int) -> dict[str, Any] | Missing:
        """The stage's trace: from the cache, else the organiser's file, else the REST bind;
        a trace fetched is kept in the cache."""
        cached = self.cache.load(year, number)
        if cached is not None:
            return cached
        missing: list[Missing] = []
        url = trace_url(self.feed.base_url, self.options.route_url, year, number)
        if url is not None:
            found = await self._trace_file(url, year, number)
            if not isinstance(found, Missing):
                return found
            missing.append(found)
        if self.options.route_bind:
            record = await self._optional(self.options.route_bind.format(year=year, stage=number))
            found = record if isinstance(record, Missing) else self._kept(record, year, number)
            if not isinstance(found, Missing):
                return found
            missing.append(found)
        if not missing:
            return Missing("none asked for: route_url and route_bind are empty", again=False)
        return Missing("; ".join(m.reason for m in missing), any(m.again for m in missing))

    async def _trace_file(self, url: str, year: int, number: int) -> dict[str, Any] | Missing:
        """The organiser's trace file, kept in the cache; or why it is `Missing`."""
        name = "/".join(urlsplit(url).path.rsplit("/", 2)[-2:]) or url
        if self.options.token_env is not None and _origin(url) != _origin(self.feed.base_url):
            # The feed's token is for its own server: never sent to another one.
            return Missing(f"{name}: not asked, the feed's token is not for its host", False)
        try:
            _, body = await self.feed.get(url)
        except Failure as failure:
            return Missing(f"{name}: {failure.reason}", again=failure.transient)
        try:
            trace = usable_trace(json.loads(body))
        except ValueError:
            trace = None
        if trace is None:
            return Missing(f"{name}: not a route", again=False)
        return self._kept(trace, year, number, body)

    def _kept(
        self, trace: Any, year: int, number: int, body: bytes | None = None
    ) -> dict[str, Any] | Missing:
        """`trace`, if usable, written to the cache (a cache that cannot be written is only
        noted: the route is there for this run)."""
        usable = usable_trace(trace)
        if usable is None:
            return Missing("the route has no points", again=False)
        try:
            self.cache.save(year, number, body if body is not None else json.dumps(usable).encode())
        except OSError as error:
            self.notes["route cache"] = f"route not kept ({error.strerror or error})"
        return usable


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc
