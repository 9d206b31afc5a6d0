"""The network adapters against a real server on 127.0.0.1 that misbehaves.

Each scenario (`tests.support.fault_scenarios`) runs an adapter through the recorder (what
`ardoise record` does) against the feed server (`tests.support.liveserver`), commits one fault
mid-stage, and measures: the status that says what happened and how long after the fault became
detectable it came; how long after the fault ended the data flowed again; and what the recording
holds. The tests check: nothing crashes; the status comes within `DETECT_WITHIN_S`; recovery
within the backoff bound; the recording holds every valid event received, once (a resumed feed
loses and repeats nothing). `python bench/faults.py` prints the same scenarios as a table.

Timeouts are short here (stale after 0.25 s, a stall detected after 0.5 s, backoff 10-100 ms)
so a 30 s stall is proven in a second; the defaults are in `feeds.net.live.NetOptions`. No test
waits a fixed time: the scenarios wait for what the client reports.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from feeds.racecenter.adapter import RaceCenterFeed
from race.models import StartList, Telemetry
from tests.support.fault_scenarios import CASES, SCENARIOS
from tests.support.live_faults import EVENTS, FAST, FRAMES, Outcome
from tests.support.liveserver import write_recording

pytestmark = pytest.mark.slow

DETECT_WITHIN_S = 2.0
"""The status must say what happened within this long of the fault being detectable."""
BACKOFF_BOUND_S = FAST["backoff_max_s"]
MARGIN_S = 1.0
"""Allowance for a loaded machine (two cores shared by the whole suite) on top of a bound."""
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
