"""The network adapters against a real server on 127.0.0.1 that misbehaves.

Each scenario runs an adapter through the recorder (what `ardoise record` does) against the
feed server (`tests.liveserver`), commits one fault mid-stage, and measures: the status that
says what happened and how long after the fault became detectable it came; how long after the
fault ended the data flowed again; and what the recording holds. The tests check: nothing
crashes; the status comes within `DETECT_WITHIN_S`; recovery within the backoff bound; the
recording holds every valid event received, once (a resumed feed loses and repeats nothing).
`python bench/faults.py` prints the same scenarios as a table.

Timeouts are short here (stale after 0.25 s, a stall detected after 0.5 s, backoff 10-100 ms)
so a 30 s stall is proven in a second; the defaults are in `feeds.net.live.NetOptions`. No test
waits a fixed time: the scenarios wait for what the client reports.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from feeds.adapters.http import HttpFeed, HttpOptions
from feeds.adapters.sse import SseFeed, SseOptions
from feeds.format.jsonl import decode
from feeds.net.live import LiveFeed
from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from feeds.tools.recorder import record
from feeds.tools.sources import WireFormat
from race.models import FeedEvent, FeedState, FeedStatus, StartList, Telemetry
from tests.support.liveserver import LiveServer, free_port, stage_events, write_recording
from tests.support.waiting import until

pytestmark = pytest.mark.slow

DETECT_WITHIN_S = 2.0
"""The status must say what happened within this long of the fault being detectable."""
FAST = {
    "connect_timeout_s": 1.0,
    "read_timeout_s": 0.5,
    "stale_after_s": 0.25,
    "backoff_initial_s": 0.01,
    "backoff_max_s": 0.1,
}
BACKOFF_BOUND_S = FAST["backoff_max_s"]
KEEPALIVE_S = 0.1
"""The server's keep-alives, well within the read timeout: only a fault makes a stall."""
FAULT_S = 0.3
"""How long the server answers HTTP 500: several attempts, the last ones at the longest backoff."""
REFUSALS = 5
"""Attempts refused before the server starts: by the fifth, the backoff is at its longest."""
MARGIN_S = 1.0
"""Allowance for a loaded machine (two cores shared by the whole suite) on top of a bound."""
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


# --- Scenarios: each arms one fault, runs a client, and measures ------------------------------

Scenario = Callable[[str, Path, Path], Awaitable[Outcome]]


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


async def refused(kind: str, recording: Path, output: Path) -> Outcome:
    """Nothing listens until the client has been refused `REFUSALS` times; then the server
    starts."""
    port = free_port()
    server = server_for(kind, recording, port=port)
    started = time.monotonic()
    adapter = make_adapter(kind, f"http://127.0.0.1:{port}")
    client = asyncio.create_task(follow(adapter, output))
    await until(lambda: adapter.failures >= REFUSALS, within=10, what=f"{REFUSALS} refusals")
    up = time.monotonic()
    with server:
        run = await client
    signal = run.first_status("reconnecting", saying="connection refused")
    return measured(kind, "connection refused", run, signal, started, up)


async def dropped(kind: str, recording: Path, output: Path) -> Outcome:
    """The connection is cut mid-stage (mid-response for a poll)."""
    with server_for(kind, recording) as server:
        plan = server.faults.plan
        if kind == "http":
            plan.poll_fault_at, plan.poll_fault = POLL_FAULT_AT, "cut"
        else:
            plan.cut_at = fault_event(kind)
        run = await follow(make_adapter(kind, server.url), output)
    cut = next(iter(server.faults.fired.values()))
    signal = run.first_status("reconnecting", after=cut, saying="connection dropped")
    return measured(kind, "stream dropped", run, signal, cut, cut)


async def closed(kind: str, recording: Path, output: Path) -> Outcome:
    """The server ends the stream cleanly every 10 events (as the Race Center does)."""
    with server_for(kind, recording) as server:
        server.faults.plan.close_every = 10
        run = await follow(make_adapter(kind, server.url), output)
    first = min(server.faults.fired.values())
    return measured(kind, "stream ended by the server x4", run, None, first, first)


async def errors_500(kind: str, recording: Path, output: Path) -> Outcome:
    """Mid-stage, the connection drops and every request gets HTTP 500 for `FAULT_S`."""
    with server_for(kind, recording) as server:
        plan = server.faults.plan
        plan.errors_s = FAULT_S
        if kind == "http":
            plan.errors_from_poll = POLL_FAULT_AT
        else:
            plan.errors_from_event = fault_event(kind)
        run = await follow(make_adapter(kind, server.url), output)
    began = server.faults.fired["errors"]
    signal = run.first_status("reconnecting", after=began, saying="HTTP 500")
    return measured(kind, f"HTTP 500 for {FAULT_S:g} s", run, signal, began, plan.errors_until)


async def rest_500_at_start(kind: str, recording: Path, output: Path) -> Outcome:
    """The Race Center's REST records fail for `FAULT_S` at start."""
    with server_for(kind, recording) as server:
        began = time.monotonic()
        server.faults.plan.errors_until = began + FAULT_S
        run = await follow(make_adapter(kind, server.url), output)
    signal = run.first_status("reconnecting", after=began, saying="HTTP 500")
    label = f"REST 500 for {FAULT_S:g} s at start"
    return measured(kind, label, run, signal, began, began + FAULT_S)


async def stall(kind: str, recording: Path, output: Path) -> Outcome:
    """The server stops sending for 30 s, the connection open. Detectable as a stall after
    `read_timeout_s`; the client then reconnects (the fault is over for it)."""
    with server_for(kind, recording) as server:
        plan = server.faults.plan
        if kind == "http":
            plan.poll_fault_at, plan.poll_fault = POLL_FAULT_AT, "stall"
        else:
            plan.stall_at = fault_event(kind)
        run = await follow(make_adapter(kind, server.url), output)
    began = next(iter(server.faults.fired.values()))
    signal = run.first_status("reconnecting", after=began, saying="stalled")
    detectable = began + FAST["read_timeout_s"]
    return measured(kind, "30 s stall", run, signal, detectable, signal.at)


TRUNCATED = {
    "sse": b'event: telemetry\ndata: {"id": 999999, "at": 1, "event": {"kind": "telem\n\n',
    "racecenter": (
        b'event: update\ndata: {"bind": "telemetryCompetitor-2026", "data": {"TimeStamp": 17\n\n'
    ),
}


async def poll_fault(
    kind: str,
    recording: Path,
    output: Path,
    fault: str,
    label: str,
    *states: FeedState,
    saying: str,
    rejected: bool = False,
) -> Outcome:
    """One poll answered with `fault` (a fault mode of the server's poll endpoint)."""
    with server_for(kind, recording) as server:
        server.faults.plan.poll_fault_at, server.faults.plan.poll_fault = POLL_FAULT_AT, fault
        run = await follow(make_adapter(kind, server.url), output)
    fired = server.faults.fired[f"poll_{fault}"]
    signal = run.first_status(*states, after=fired, saying=saying, rejected=rejected)
    return measured(kind, label, run, signal, fired, fired)


async def truncated_response(kind: str, recording: Path, output: Path) -> Outcome:
    """A poll response cut in the middle of its JSON."""
    return await poll_fault(
        kind,
        recording,
        output,
        "truncate",
        "truncated JSON (response cut)",
        "reconnecting",
        saying="connection dropped",
    )


async def bad_event_in_page(kind: str, recording: Path, output: Path) -> Outcome:
    """A poll page with one event that cannot be read."""
    return await poll_fault(
        kind,
        recording,
        output,
        "bad_event",
        "unreadable event in a page",
        saying="event 999999",
        rejected=True,
    )


async def garbage_response(kind: str, recording: Path, output: Path) -> Outcome:
    """A poll answered 200 with an HTML page."""
    return await poll_fault(
        kind,
        recording,
        output,
        "garbage",
        "garbage response",
        "reconnecting",
        saying="not an Ardoise feed document",
    )


async def huge_response(kind: str, recording: Path, output: Path) -> Outcome:
    """A 20 MB poll response (no Content-Length): refused at 4 MB, retried."""
    return await poll_fault(
        kind,
        recording,
        output,
        "huge",
        "20 MB response",
        "error",
        saying="larger than the 4 MB limit",
    )


async def truncated_event(kind: str, recording: Path, output: Path) -> Outcome:
    """An event whose JSON is truncated, then (10 events later) one cut by a drop."""
    with server_for(kind, recording) as server:
        server.faults.plan.inject_before = {fault_event(kind): TRUNCATED[kind]}
        server.faults.plan.cut_inside_at = fault_event(kind) + 10
        run = await follow(make_adapter(kind, server.url), output)
    injected = server.faults.fired[f"inject_{fault_event(kind)}"]
    signal = run.first_status(after=injected, saying="EOF while parsing", rejected=True)
    cut = server.faults.fired["cut_inside"]
    run.first_status("reconnecting", after=cut, saying="connection dropped")
    return measured(kind, "truncated JSON + event cut", run, signal, injected, cut)


GARBAGE = (
    b"this line is not an event stream field\n"
    b"\x00\xff\xfe binary\x80garbage\r\n"
    b"unknown-field: 1\n"
    b": a comment\n\n"
    b"data: not json at all\n\n"
    b'event: update\ndata: {"bind": "checkpoint-2026-4", "data": {"0": {}}}\n\n'
)


async def garbage(kind: str, recording: Path, output: Path) -> Outcome:
    """Lines that are not an event stream, text data, an update of another bind."""
    with server_for(kind, recording) as server:
        server.faults.plan.inject_before = {fault_event(kind): GARBAGE}
        run = await follow(make_adapter(kind, server.url), output)
    injected = server.faults.fired[f"inject_{fault_event(kind)}"]
    signal = None
    if kind == "sse":  # The Race Center adapter ignores text and other binds: nothing to say.
        signal = run.first_status(after=injected, rejected=True)
    return measured(kind, "garbage lines", run, signal, injected, injected)


HUGE_EVENT = (
    b'event: news\ndata: {"id": 999998, "at": 1, "event": {"kind": "news", "t": 1, "text": "'
    + b"x" * 20_000_000
    + b'"}}\n\n'
)


async def huge_event(kind: str, recording: Path, output: Path) -> Outcome:
    """A 20 MB event in the stream."""
    with server_for(kind, recording) as server:
        server.faults.plan.inject_before = {fault_event(kind): HUGE_EVENT}
        run = await follow(make_adapter(kind, server.url), output)
    injected = server.faults.fired[f"inject_{fault_event(kind)}"]
    signal = run.first_status(after=injected, saying="20.0 MB", rejected=True)
    return measured(kind, "20 MB event", run, signal, injected, injected)


async def reordered(kind: str, recording: Path, output: Path) -> Outcome:
    """Two events sent twice, two consecutive events swapped (a page reordered for a poll)."""
    with server_for(kind, recording) as server:
        plan = server.faults.plan
        if kind == "http":
            plan.poll_fault_at, plan.poll_fault = POLL_FAULT_AT, "reorder"
        else:
            plan.duplicate = {fault_event(kind) - 5, fault_event(kind) - 4}
            plan.swap_at = fault_event(kind)
        run = await follow(make_adapter(kind, server.url), output)
    fault = min(server.faults.fired.values())
    return measured(kind, "duplicated + out of order", run, None, fault, fault, swapped=True)


SCENARIOS: dict[str, tuple[Scenario, tuple[str, ...]]] = {
    "refused": (refused, ADAPTERS),
    "dropped": (dropped, ADAPTERS),
    "closed": (closed, STREAMS),
    "500s": (errors_500, ADAPTERS),
    "rest_500s": (rest_500_at_start, ("racecenter",)),
    "stall": (stall, ADAPTERS),
    "truncated": (truncated_event, STREAMS),
    "truncated_response": (truncated_response, ("http",)),
    "bad_event": (bad_event_in_page, ("http",)),
    "garbage": (garbage, STREAMS),
    "garbage_response": (garbage_response, ("http",)),
    "20mb": (huge_event, STREAMS),
    "20mb_response": (huge_response, ("http",)),
    "reordered": (reordered, ADAPTERS),
}
CASES = [(name, kind) for name, (_, kinds) in SCENARIOS.items() for kind in kinds]
QUIET = {"closed", "reordered", "garbage", "20mb", "bad_event"}
"""Faults that need no reconnection: the feed stays live throughout."""


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_recording(tmp_path_factory.mktemp("faults") / "stage.jsonl", EVENTS)


def assert_recorded_once(outcome: Outcome) -> None:
    """The recording holds every event of the stage once, in the order received."""
    run, kind = outcome.run, outcome.kind
    recorded = run.recorded()
    assert isinstance(recorded[0], StartList)
    if kind != "racecenter":
        assert recorded[0] == EVENTS[0]
    frames = [e for e in recorded[1:] if isinstance(e, Telemetry)]
    assert len(frames) == len(recorded) - 1 == len(FRAMES), "every frame, nothing else"
    if outcome.swapped:
        assert frames != FRAMES, "the swapped frames are recorded as received"
        assert sorted(frames, key=lambda f: f.t) == FRAMES
    else:
        assert frames == FRAMES
    assert run.adapter.received == len(EVENTS), "each delivered once"


@pytest.mark.parametrize(("name", "kind"), CASES)
async def test_fault(name: str, kind: str, recording: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    scenario, _ = SCENARIOS[name]
    outcome = await scenario(kind, recording, tmp_path / "recorded.jsonl")
    run = outcome.run
    if outcome.signal is not None:
        assert outcome.detected_s is not None
        assert outcome.detected_s <= DETECT_WITHIN_S, outcome.shown
        status = outcome.signal.status
        if status.state == "reconnecting":
            assert status.attempt is not None
            assert status.retry_in_s is not None
            assert status.retry_in_s <= BACKOFF_BOUND_S
    if outcome.recovered_s is not None:
        assert outcome.recovered_s <= BACKOFF_BOUND_S + MARGIN_S
    if name in QUIET:
        assert not list(run.statuses("reconnecting", "error")), run.states()
    if name == "stall":
        assert time.monotonic() - started < 15, "the 30 s stall did not hold the client"
        if kind != "http":  # A poll asks every 0.1 s: its data is never 1 s old before.
            began = outcome.detectable_at - FAST["read_timeout_s"]
            stale = run.first_status("stale", after=began)
            assert stale.at - began <= FAST["stale_after_s"] + DETECT_WITHIN_S
    expected_rejected = {
        "truncated": 1,
        "bad_event": 1,
        "garbage_response": 1,
        "20mb": 1,
        "20mb_response": 1,
        "garbage": 2 if kind == "sse" else 0,
    }.get(name, 0)
    assert run.adapter.rejected == expected_rejected
    if name == "garbage" and isinstance(run.adapter, RaceCenterFeed):
        assert run.adapter.ignored == 2, "text and an unused bind, ignored"
    if name == "reordered":
        assert run.adapter.duplicates == (1 if kind == "http" else 2)
    assert_recorded_once(outcome)
