"""The Race Center's live stream as it really is: streams ended by a mis-sized chunk, and the
previous stage's final frame sent first (the server's snapshot on connect).

Against a raw server on 127.0.0.1 (`tests.feeds.racecenter_stream`) serving the stage 5
recording's records and updates, and through the recording reader, which judges frames the
same way (`feeds.racecenter.updates`).
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from race.engine import Race
from race.models import FeedEvent, FeedStatus, StartList, Telemetry
from race.situation import Situation
from tests.feeds.racecenter_stream import RawRaceCenter, previous_stage_snapshot, rest_binds
from tests.support.recordings import recording_run
from tests.support.stages import STAGE_5, engine_settings, needs_stage_5
from tests.support.waiting import until

pytestmark = [pytest.mark.slow, needs_stage_5]

UPDATES = 60
DROP_EVERY = 13
FAST = {
    "connect_timeout_s": 2.0,
    "read_timeout_s": 5.0,
    "stale_after_s": 30.0,
    "backoff_initial_s": 0.01,
    "backoff_max_s": 0.05,
}


@cache
def stage_5() -> dict[str, Any]:
    with gzip.open(STAGE_5, "rt", encoding="utf-8") as stream:
        document: dict[str, Any] = json.load(stream)
    return document


def lines(count: int) -> list[str]:
    return [entry["data"] for entry in stage_5()["events"][:count]]


def adapter(url: str) -> RaceCenterFeed:
    options = {"base_url": url, "year": 2026, "stage": 5, "route_bind": "", **FAST}
    return RaceCenterFeed(RaceCenterOptions.model_validate(options))


async def follow(feed: RaceCenterFeed, frames: int) -> list[FeedEvent]:
    """What the feed delivers until it has delivered `frames` frames."""
    seen: list[FeedEvent] = []

    async def read() -> None:
        async for event in feed.events():
            seen.append(event)

    task = asyncio.create_task(read())
    try:
        await until(
            lambda: sum(isinstance(e, Telemetry) for e in seen) >= frames or task.done(),
            within=30,
            what=f"{frames} frames",
        )
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return seen


def states(events: list[FeedEvent]) -> list[str]:
    return [e.state for e in events if isinstance(e, FeedStatus)]


def stamps(events: list[FeedEvent]) -> list[float]:
    return [e.t for e in events if isinstance(e, Telemetry)]


async def test_mis_sized_chunks_are_clean_drops() -> None:
    sent = lines(UPDATES)
    expected = [json.loads(line)["data"]["TimeStamp"] for line in sent]
    async with RawRaceCenter(rest_binds(stage_5(), 2026, 5), sent, DROP_EVERY) as server:
        feed = adapter(server.url)
        seen = await follow(feed, UPDATES)
    assert server.drops == UPDATES // DROP_EVERY == feed.drops == 4
    assert stamps(seen) == expected, "every frame once, in order"
    assert not {"reconnecting", "error", "stale"} & set(states(seen)), states(seen)
    assert states(seen).count("live") == 1, "one `live`, not one per stream"
    assert feed.failures == 0
    assert feed.rejected == 0
    assert feed.duplicates == 4, "the snapshot re-sent on each reconnection, delivered once"
    assert isinstance(seen[1], StartList)


async def test_failures_in_a_row_say_reconnecting() -> None:
    """A stream that breaks before sending anything has failed: the next attempts count."""
    sent = lines(5)
    rest = rest_binds(stage_5(), 2026, 5)
    async with RawRaceCenter(rest, sent, drops_before_first=2) as server:
        feed = adapter(server.url)
        seen = await follow(feed, len(sent))
    reconnecting = [e for e in seen if isinstance(e, FeedStatus) and e.state == "reconnecting"]
    assert [e.attempt for e in reconnecting] == [1, 2]
    assert all("malformed chunk" in e.detail for e in reconnecting), reconnecting
    assert feed.drops == 0
    assert len(stamps(seen)) == len(sent)
    assert feed.failures == 0, "data again: the count of failures in a row starts over"


async def test_previous_stage_snapshot_first_is_ignored_live() -> None:
    real = lines(20)
    sent = [previous_stage_snapshot(real[-1], "400"), *real]
    async with RawRaceCenter(rest_binds(stage_5(), 2026, 5), sent, drop_every=7) as server:
        feed = adapter(server.url)
        seen = await follow(feed, len(real))
    assert feed.other_stage == 1
    assert stamps(seen) == [json.loads(line)["data"]["TimeStamp"] for line in real]
    said = [e.detail for e in seen if isinstance(e, FeedStatus) and "another stage" in e.detail]
    assert said == ["1 frame of another stage ignored (stage 4's frame)"]
    assert not {"reconnecting", "error"} & set(states(seen))


# --- Through the recording reader and the engine ---------------------------------------------


def recording_with(path: Path, first: str) -> Path:
    document = dict(stage_5())
    document["events"] = [{"dt": 0, "data": first}, *stage_5()["events"]]
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        json.dump(document, stream)
    return path


def replay(path: Path) -> tuple[RecordingFeed, list[FeedEvent]]:
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))

    async def read() -> list[FeedEvent]:
        return [event async for event in feed.events()]

    return feed, asyncio.run(read())


def situations(events: list[FeedEvent]) -> Iterator[tuple[float, Situation]]:
    race = Race(engine_settings())
    for event in events:
        situation = race.apply(event)
        if isinstance(event, Telemetry):
            yield event.t, situation


@cache
def untouched_stage_5() -> tuple[tuple[FeedEvent, ...], dict[float, Situation]]:
    """Stage 5 as the recording adapter replays it, and the engine's situation after each of its
    frames: replayed and run once for the tests that compare a changed recording with it."""
    run = recording_run(STAGE_5)
    return run.events, {frame.t: situation for frame, situation in run.frames()}


def essentials(situation: Situation) -> tuple[Any, ...]:
    groups = tuple((g.name, g.size, g.gap_s) for g in situation.groups)
    return (
        situation.winner,
        situation.winner_finished,
        situation.race_time_s,
        situation.time_limit,
        groups,
    )


@pytest.mark.parametrize(
    ("stage_id", "reason"),
    [("200", "stage 2's frame"), (None, "h before the start")],
    ids=["by StageId", "by time"],
)
def test_previous_stage_snapshot_first_changes_nothing(
    stage_id: str | None, reason: str, tmp_path: Path
) -> None:
    real = stage_5()["events"][-1]["data"]
    snapshot = previous_stage_snapshot(real, stage_id or "")
    if stage_id is None:  # Judged by its time and its finished race alone.
        wrapped = json.loads(snapshot)
        del wrapped["data"]["StageId"]
        snapshot = json.dumps(wrapped)
    feed, events = replay(recording_with(tmp_path / "with-yesterday.json.gz", snapshot))
    untouched, theirs = untouched_stage_5()
    assert feed.other_stage == 1
    said = [e.detail for e in events if isinstance(e, FeedStatus) and "another stage" in e.detail]
    assert len(said) == 1, said
    assert reason in said[0]
    frames = [e for e in events if isinstance(e, Telemetry)]
    assert frames == [e for e in untouched if isinstance(e, Telemetry)]
    mine = dict(situations(events))
    assert mine.keys() == theirs.keys()
    times = sorted(mine)
    checked = [times[len(times) * k // 6] for k in range(1, 6)] + [times[-1]]
    for t in checked:
        assert essentials(mine[t]) == essentials(theirs[t]), t
    assert mine[times[len(times) // 2]].winner is None
    assert mine[times[len(times) // 2]].race_time_s is not None
