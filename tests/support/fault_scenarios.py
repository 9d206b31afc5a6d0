"""The fault scenarios of `tests/feeds/test_live_faults.py` and `bench/faults.py`: each arms one
fault on the feed server mid-stage, runs an adapter through the recorder, and measures when the
fault was told and when the data flowed again. No scenario waits a fixed time: each waits for
what the client reports.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from race.models import FeedState
from tests.support.live_faults import (
    ADAPTERS,
    FAST,
    FAULT_S,
    POLL_FAULT_AT,
    REFUSALS,
    STREAMS,
    Outcome,
    fault_event,
    follow,
    make_adapter,
    measured,
    server_for,
)
from tests.support.liveserver import free_port
from tests.support.waiting import until

Scenario = Callable[[str, Path, Path], Awaitable[Outcome]]


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
