"""End to end: `ardoise serve` in its own process on 127.0.0.1, read by the network adapters, gives
the same race as the `recording` adapter reading the file.

"The same situation at a given time" is the whole `ardoise situation --json` object after the
last frame at or before that time (groups and their gaps, trends and catches, the time limit,
the lead-out, alerts, the stage, the head's km and speed, riders tracked, frames dropped),
except `feed` (the adapter's own status) and `events_applied` (which counts those statuses).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from feeds.adapters.http import HttpFeed, HttpOptions
from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.sse import SseFeed, SseOptions
from feeds.base import FeedAdapter
from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from feeds.tools.recorder import record
from race.engine import Race
from race.models import FeedEvent, Telemetry
from race.situation import Situation
from tests.support.cli import ardoise_serving
from tests.support.recordings import recording_run, replayed
from tests.support.stages import (
    SHARED_DATA,
    STAGE_5,
    STAGE_16,
    engine_settings,
    needs_stage_5,
    needs_stage_16,
)

pytestmark = pytest.mark.slow

WITHIN_S = 120.0
"""No end-to-end read takes longer (a stage takes a few seconds)."""
END = float("inf")
"""The end of the feed, for feeds that end."""


def comparable(situation: Situation) -> dict[str, Any]:
    """The situation's JSON without what depends on the adapter rather than on the race."""
    data = situation.to_json_dict()
    del data["feed"], data["events_applied"]
    return data


async def situations_at(adapter: FeedAdapter, times: Sequence[float]) -> dict[float, Any]:
    """The situation after the last frame at or before each time (END: the end of the feed)."""
    return await asyncio.wait_for(_situations_at(adapter, times), WITHIN_S)


async def _situations_at(adapter: FeedAdapter, times: Sequence[float]) -> dict[float, Any]:
    race = Race(engine_settings())
    pending = sorted(times)
    out: dict[float, Any] = {}
    try:
        async for event in adapter.events():
            if isinstance(event, Telemetry):
                while pending and event.t > pending[0]:
                    out[pending.pop(0)] = comparable(race.situation)
                if not pending:
                    break
            race.apply(event)
    finally:
        await adapter.aclose()
    for t in pending:
        out[t] = comparable(race.situation)
    return out


def replay(path: Path) -> RecordingFeed:
    return RecordingFeed(RecordingOptions(path=path, speed=0))


async def frame_times(path: Path) -> tuple[float, ...]:
    events = await asyncio.to_thread(replayed, path)  # Read once per test process.
    return tuple(e.t for e in events if isinstance(e, Telemetry))


async def stage_5_times() -> tuple[float, ...]:
    """Early (the break), mid-stage, the finale (lead-out), the line, and after the line."""
    times = await frame_times(STAGE_5)
    return (times[200], times[700], times[1150], times[1200], times[-2])


async def reference(path: Path, times: tuple[float, ...]) -> dict[float, Any]:
    """The `recording` adapter on the file itself, as `situations_at` reads it: the situation
    before the first frame past each time (the engine's run of the recording, once per test
    process: `tests.support.recordings`)."""
    run = await asyncio.to_thread(recording_run, path)
    out: dict[float, Any] = {}
    for t in times:
        past = next(
            (i for i, e in enumerate(run.events) if isinstance(e, Telemetry) and e.t > t), None
        )
        assert past != 0, "a time before the first event"
        out[t] = comparable(run.last if past is None else run.after_each[past - 1])
    return out


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def recording_config(tmp_path: Path, recording: Path) -> Path:
    return write_config(
        tmp_path, f'[feed]\nadapter = "recording"\npath = "{recording}"\nspeed = 0\n'
    )


@contextmanager
def ardoise_serve(config: Path, *extra: str) -> Iterator[str]:
    """`ardoise serve` in its own process on a free port; yields its URL."""
    with ardoise_serving("serve", config, *extra) as (url, process):
        yield url
    assert process.returncode in (0, -15), f"ardoise serve exited with {process.returncode}"


def assert_same(live: dict[float, Any], expected: dict[float, Any]) -> None:
    assert live.keys() == expected.keys()
    for t, situation in expected.items():
        assert situation["groups"], "the comparison is about a race in progress"
        assert live[t] == situation, f"situations differ at {t}"


@pytest.fixture
def stage_5_as_racecenter(tmp_path: Path) -> Iterator[str]:
    """`ardoise serve --as racecenter` of Stage 5, waiting for its client: a Race Center stream
    sends a client that connects later only the current state, as the real one does."""
    if not STAGE_5.exists():
        pytest.skip(f"the Race Center recordings are not in {SHARED_DATA}")
    config = recording_config(tmp_path, STAGE_5)
    with ardoise_serve(config, "--as", "racecenter", "--wait-for-client") as url:
        yield url


async def test_racecenter_adapter_against_serve_as_racecenter(
    stage_5_as_racecenter: str,
) -> None:
    times = await stage_5_times()
    adapter = RaceCenterFeed(RaceCenterOptions(base_url=stage_5_as_racecenter, year=2026, stage=5))
    live = await situations_at(adapter, times)
    assert_same(live, await reference(STAGE_5, times))
    # The start list, the weather of its checkpoint records, the 1,236 frames.
    assert (adapter.rejected, adapter.duplicates, adapter.received) == (0, 0, 1 + 1 + 1236)
    assert not adapter.notes, "the route and the checkpoints were served"


@needs_stage_16
async def test_racecenter_without_a_route_is_not_fatal(tmp_path: Path) -> None:
    """The time trial's recording has no route: the adapter goes on without a profile."""
    times = sorted(set(await frame_times(STAGE_16)))
    picked = (times[250], times[400])  # The first starters are on the road.
    config = recording_config(tmp_path, STAGE_16)
    with ardoise_serve(config, "--as", "racecenter", "--wait-for-client") as url:
        adapter = RaceCenterFeed(RaceCenterOptions(base_url=url, year=2026, stage=16))
        live = await situations_at(adapter, picked)
    # The server answers 204 (not published), as the Race Center does; how the adapter words
    # that is its own.
    assert len(adapter.notes) == 1
    assert adapter.notes[0].startswith("no route profile (trace-2026-16: ")
    assert_same(live, await reference(STAGE_16, picked))


@needs_stage_5
async def test_sse_and_http_adapters_against_serve(tmp_path: Path) -> None:
    times = (*await stage_5_times(), END)
    config = recording_config(tmp_path, STAGE_5)
    with ardoise_serve(config) as url:
        sse = SseFeed(SseOptions(url=f"{url}/stream"))
        http = HttpFeed(HttpOptions(url=f"{url}/feed", interval_s=0.5))
        by_sse, by_http = await asyncio.gather(
            situations_at(sse, times), situations_at(http, times)
        )
    expected = await reference(STAGE_5, times)
    assert_same(by_sse, expected)
    assert_same(by_http, expected)
    for adapter in (sse, http):
        # The start list, the stage's weather, the frames.
        assert (adapter.rejected, adapter.duplicates, adapter.received) == (0, 0, 1238)
        assert adapter.link == "ended"


async def test_record_then_replay_reproduces_the_live_run(
    stage_5_as_racecenter: str, tmp_path: Path
) -> None:
    """The situations of a live run, and of the recording it made, at the same times."""
    times = await stage_5_times()
    race = Race(engine_settings())
    pending = sorted(times)
    live: dict[float, Any] = {}

    def watch(event: FeedEvent) -> None:
        """The live run: every event the recorder writes also goes through the engine."""
        if isinstance(event, Telemetry):
            while pending and event.t > pending[0]:
                live[pending.pop(0)] = comparable(race.situation)
        race.apply(event)

    output = tmp_path / "live.jsonl"
    adapter = RaceCenterFeed(RaceCenterOptions(base_url=stage_5_as_racecenter, year=2026, stage=5))
    stats = await asyncio.wait_for(
        record(adapter, output, until=times[-1], on_event=watch), WITHIN_S
    )
    assert stats.frames == 1235  # Every frame up to the last one asked for.
    replayed = await situations_at(replay(output), times)
    assert live.keys() == set(times[:-1]), "the last time is passed by no recorded frame"
    for t in times[:-1]:
        assert replayed[t] == live[t]
    assert comparable(race.situation) == replayed[times[-1]]
