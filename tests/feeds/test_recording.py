"""The recording adapter and the formats it reads: Ardoise JSONL and Race Center recordings."""

from __future__ import annotations

import asyncio
import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions, sniff
from feeds.base import FeedError
from feeds.format.jsonl import decode, encode
from feeds.racecenter.wire import FormatError, parse_update
from feeds.simulation import simulate
from race.models import FeedEvent, FeedStatus, StartList, Telemetry
from tests.support.cli import assert_config_error, run_ardoise
from tests.support.stages import SEED, SHARED_DATA, STAGE_5, STAGE_16, needs_stage_5
from tests.support.waiting import loop_turns, until


def sample_events(count: int = 40) -> list[FeedEvent]:
    return list(islice(simulate("flat", SEED), count))


def write_jsonl(path: Path, events: list[FeedEvent], *, compress: bool = False) -> Path:
    lines = "".join(encode(event, at=1000.0 + i) + "\n" for i, event in enumerate(events))
    if compress:
        path.write_bytes(gzip.compress(lines.encode("utf-8")))
    else:
        path.write_text(lines, encoding="utf-8")
    return path


async def replay(path: Path, **options: object) -> list[FeedEvent]:
    feed = RecordingFeed(RecordingOptions.model_validate({"path": path, "speed": 0, **options}))
    return [event async for event in feed.events()]


def test_jsonl_line_round_trip() -> None:
    for event in sample_events(5):
        assert decode(encode(event, at=12.5)).event == event


@pytest.mark.parametrize("compress", [False, True])
async def test_ardoise_recording_replays_every_event(tmp_path: Path, compress: bool) -> None:
    events = sample_events()
    path = write_jsonl(tmp_path / "stage.jsonl", events, compress=compress)
    assert sniff(path) == "ardoise"
    replayed = await replay(path)
    assert isinstance(replayed[0], FeedStatus)
    assert isinstance(replayed[-1], FeedStatus)
    assert replayed[-1].state == "ended"
    assert [e for e in replayed if not isinstance(e, FeedStatus)] == events


async def test_bad_and_truncated_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    events = sample_events(10)
    path = write_jsonl(tmp_path / "stage.jsonl", events)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(3, "garbage, not JSON")
    lines.insert(5, '{"at": 1, "event": {"kind": "telemetry", "t": "soon"}}')
    path.write_text("\n".join(lines) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    replayed = await replay(path)
    kept = [e for e in replayed if not isinstance(e, FeedStatus)]
    assert kept == events
    statuses = [e for e in replayed if isinstance(e, FeedStatus)]
    assert statuses[-1].rejected == 3
    assert any("line 4" in s.detail for s in statuses)


async def test_pause_holds_the_replay(tmp_path: Path) -> None:
    # Speed 0: unpaused, a frame every loop turn, so loop turns measure the hold, not a clock.
    path = write_jsonl(tmp_path / "stage.jsonl", sample_events(200))
    feed = RecordingFeed(RecordingOptions(path=path, speed=0.0))
    seen: list[FeedEvent] = []
    started = asyncio.Event()

    async def read() -> None:
        async for event in feed.events():
            seen.append(event)
            if isinstance(event, Telemetry):
                started.set()

    task = asyncio.create_task(read())
    await asyncio.wait_for(started.wait(), 5)
    feed.pause()
    await loop_turns()  # A frame already due when pausing may still arrive.
    count = len(seen)
    await loop_turns()
    assert len(seen) == count
    feed.resume()
    await until(lambda: len(seen) > count, within=5, what="the replay resumes")
    task.cancel()


def test_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(FeedError, match="neither"):
        sniff(path)


def test_bad_recording_is_a_config_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2, 3]", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[feed]\nadapter = "recording"\npath = "{junk.name}"\n', encoding="utf-8")
    result = run_ardoise("situation", "--config", str(config), "--json")
    assert_config_error(result, str(config), "feed.path", "junk.json")


def test_missing_recording_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[feed]\nadapter = "recording"\npath = "absent.jsonl"\n', encoding="utf-8")
    result = run_ardoise("--config", str(config))
    assert_config_error(result, str(config), "feed.path", "file")


def test_parse_update_rejects_bad_text() -> None:
    with pytest.raises(FormatError, match="Invalid JSON"):
        parse_update("{truncated")
    with pytest.raises(FormatError, match="TimeStamp"):
        parse_update(
            '{"bind": "telemetryCompetitor-2026", "data": {"TimeStamp": "x", "Riders": []}}'
        )
    assert parse_update('{"bind": "checkpoint-2026-5", "data": {"x": 1}}') is None


def test_parse_update_maps_race_center_fields() -> None:
    rider = {
        "Bib": 7,
        "kmToFinish": 12.34,
        "Latitude": 43.1,
        "Longitude": 0.4,
        "kph": 44.1,
        "secToFirstRider": 12,
        "mAlt": 300,
        "Gradient": -1.5,
        "Status": "finished",
        "Jersey": "Y",
    }
    frame = parse_update(
        json.dumps(
            {
                "bind": "telemetryCompetitor-2026",
                "data": {"TimeStamp": 1000, "Riders": [rider, {"Bib": 8}]},
            }
        )
    )
    assert frame is not None
    first, second = frame.riders
    assert (first.bib, first.km_to_finish, first.feed_gap_s, first.finished) == (7, 12.34, 12, True)
    assert first.jersey == "yellow"
    assert second.km_to_finish is None
    assert not second.finished


@needs_stage_5
async def test_race_center_recording_of_stage_5() -> None:
    assert sniff(STAGE_5) == "racecenter"
    events = await replay(STAGE_5)
    start = events[1]
    assert isinstance(start, StartList)
    assert start.stage.name == "Stage 5 Lannemezan › Pau"
    assert start.stage.type == "flat"
    assert start.stage.distance_km == pytest.approx(158.22)
    assert start.stage.profile[0].km < 0 < start.stage.profile[-1].km
    assert len(start.teams) == 23
    assert {"LTK", "COF"} <= {t.code for t in start.teams}
    assert all(r.team for r in start.riders)
    frames = [e for e in events if isinstance(e, Telemetry)]
    assert len(frames) == 1236
    last = events[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.detail, last.rejected) == ("ended", "end of 2026-07-08.json.gz", 0)


@pytest.mark.skipif(not STAGE_16.exists(), reason=f"no recordings in {SHARED_DATA}")
async def test_race_center_recording_of_the_time_trial() -> None:
    events = await replay(STAGE_16)
    start = events[1]
    assert isinstance(start, StartList)
    assert start.stage.type == "itt"
    frames = [e for e in events if isinstance(e, Telemetry)]
    # The live stream sent most updates twice (3,064 recorded, 1,628 different): once each.
    assert len(frames) == 1628
    times = [f.t for f in frames]
    assert len(set(times)) == len(times)
    assert all(f.feed_gap_s is None for frame in frames for f in frame.riders)


async def test_a_paced_replay_sends_a_frame_stamped_tomorrow_at_once(tmp_path: Path) -> None:
    """A frame a day ahead in a recording is sent at once and the replay goes on at its pace
    (paced on it, the replay would wait a day divided by the speed)."""
    frames = [e for e in sample_events(6) if isinstance(e, Telemetry)][:4]
    tomorrow = frames[2].model_copy(update={"t": frames[2].t + 86_400})
    path = write_jsonl(tmp_path / "stage.jsonl", [frames[0], frames[1], tomorrow, frames[3]])
    events = await asyncio.wait_for(replay(path, speed=60), timeout=10)
    assert [e.t for e in events if isinstance(e, Telemetry)] == [
        frames[0].t,
        frames[1].t,
        tomorrow.t,
        frames[3].t,
    ]
