"""A network adapter run through the recorder (what `ardoise record` does) against the feed
server (`tests.support.liveserver`), and what it delivered, when: the machinery of the fault
scenarios (`tests.support.fault_scenarios`).

Timeouts are short here (stale after 0.25 s, a stall detected after 0.5 s, backoff 10-100 ms)
so a 30 s stall is proven in a second; the defaults are in `feeds.net.live.NetOptions`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from feeds.adapters.http import HttpFeed, HttpOptions
from feeds.adapters.sse import SseFeed, SseOptions
from feeds.format.jsonl import decode
from feeds.net.live import LiveFeed
from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from feeds.tools.recorder import record
from feeds.tools.sources import WireFormat
from race.models import FeedEvent, FeedState, FeedStatus, Telemetry
from tests.support.liveserver import LiveServer, stage_events

FAST = {
    "connect_timeout_s": 1.0,
    "read_timeout_s": 0.5,
    "stale_after_s": 0.25,
    "backoff_initial_s": 0.01,
    "backoff_max_s": 0.1,
}
KEEPALIVE_S = 0.1
"""The server's keep-alives, well within the read timeout: only a fault makes a stall."""
FAULT_S = 0.3
"""How long the server answers HTTP 500: several attempts, the last ones at the longest backoff."""
REFUSALS = 5
"""Attempts refused before the server starts: by the fifth, the backoff is at its longest."""
FAULT_AT = 20
"""Faults happen at this event of the 48 (mid-stage)."""
POLL_FAULT_AT = 4
"""Poll faults happen at this request (two frames a page: mid-stage)."""
ADAPTERS = ("sse", "http", "racecenter")
STREAMS = ("sse", "racecenter")
EVENTS = stage_events(48)
FRAMES = [e for e in EVENTS if isinstance(e, Telemetry)]


def make_adapter(kind: str, url: str) -> LiveFeed:
    if kind == "sse":
        return SseFeed(SseOptions.model_validate({"url": f"{url}/stream", **FAST}))
    if kind == "http":
        return HttpFeed(
            HttpOptions.model_validate({"url": f"{url}/feed", "interval_s": 0.1, **FAST})
        )
    return RaceCenterFeed(
        RaceCenterOptions.model_validate({"base_url": url, "year": 2026, "stage": 4, **FAST})
    )


def fault_event(kind: str) -> int:
    """The server's id of the `FAULT_AT`-th event (a Race Center stream has no start list)."""
    return FAULT_AT - 1 if kind == "racecenter" else FAULT_AT


@dataclass(frozen=True)
class Seen:
    at: float
    """When the client delivered it (monotonic)."""
    event: FeedEvent


@dataclass(frozen=True)
class StatusSeen:
    at: float
    status: FeedStatus


@dataclass
class Run:
    """What a client delivered, and when."""

    adapter: LiveFeed
    path: Path
    seen: list[Seen] = field(default_factory=list)

    def statuses(self, *states: FeedState, after: float = 0.0) -> Iterator[StatusSeen]:
        for item in self.seen:
            event = item.event
            if (
                item.at >= after
                and isinstance(event, FeedStatus)
                and (not states or event.state in states)
            ):
                yield StatusSeen(item.at, event)

    def first_status(
        self, *states: FeedState, after: float = 0.0, saying: str = "", rejected: bool = False
    ) -> StatusSeen:
        for item in self.statuses(*states, after=after):
            if saying in item.status.detail and (not rejected or item.status.rejected):
                return item
        raise AssertionError(f"no {states} status saying {saying!r}: {self.states()}")

    def first_data(self, after: float) -> Seen:
        found = next(
            (s for s in self.seen if s.at >= after and not isinstance(s.event, FeedStatus)), None
        )
        assert found is not None, "no data after the fault"
        return found

    def states(self) -> list[str]:
        return [f"{s.status.state}: {s.status.detail}" for s in self.statuses()]

    def recorded(self) -> list[FeedEvent]:
        """The data events in the recording file (statuses left out)."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [e for e in (decode(line).event for line in lines) if not isinstance(e, FeedStatus)]


async def follow(adapter: LiveFeed, path: Path, within: float = 30.0) -> Run:
    """Record `adapter` until every event of the stage has come (or the feed ends)."""
    run = Run(adapter, path)
    done = asyncio.Event()
    count = 0

    def on_event(event: FeedEvent) -> None:
        nonlocal count
        run.seen.append(Seen(time.monotonic(), event))
        if not isinstance(event, FeedStatus):
            count += 1
        if count >= len(EVENTS) or (isinstance(event, FeedStatus) and event.state == "ended"):
            done.set()

    task = asyncio.create_task(record(adapter, path, on_event=on_event))
    try:
        await asyncio.wait_for(done.wait(), within)
    finally:
        task.cancel()
        await asyncio.wait([task])
    if not task.cancelled() and task.exception() is not None:
        raise AssertionError("the client crashed") from task.exception()
    return run


@dataclass
class Outcome:
    """One scenario, measured."""

    kind: str
    fault: str
    run: Run
    signal: StatusSeen | None
    """The status that told of the fault (None: nothing to tell)."""
    detectable_at: float
    detected_s: float | None
    """From the moment the fault could be detected to its status."""
    recovered_s: float | None
    """From the end of the fault to the next event delivered."""
    swapped: bool = False

    @property
    def shown(self) -> str:
        if self.signal is None:
            return "live (nothing to report)"
        s = self.signal.status
        retry = f" (attempt {s.attempt}, next in {s.retry_in_s:.2f} s)" if s.attempt else ""
        bad = f" · {s.rejected} bad" if s.rejected else ""
        return f"{s.state}{retry}: {s.detail}{bad}"

    def recorded_summary(self) -> str:
        recorded = self.run.recorded()
        return f"{len(recorded)}/{len(EVENTS)}"


def measured(
    kind: str,
    fault: str,
    run: Run,
    signal: StatusSeen | None,
    detectable_at: float,
    ended_at: float | None,
    *,
    swapped: bool = False,
) -> Outcome:
    return Outcome(
        kind=kind,
        fault=fault,
        run=run,
        signal=signal,
        detectable_at=detectable_at,
        detected_s=signal.at - detectable_at if signal is not None else None,
        recovered_s=run.first_data(ended_at).at - ended_at if ended_at is not None else None,
        swapped=swapped,
    )


def server_for(kind: str, recording: Path, **kwargs: object) -> LiveServer:
    """The server for an adapter. A Race Center stream sends a new client the current state
    only: the feed waits for the client, as a real one is connected before the start."""
    wire: WireFormat = "racecenter" if kind == "racecenter" else "ardoise"
    return LiveServer(
        recording,
        wire,
        keepalive_s=KEEPALIVE_S,
        wait_for_client=wire == "racecenter",
        **kwargs,  # type: ignore[arg-type]
    )
