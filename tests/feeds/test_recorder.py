"""Recording a feed: append-only, flushed lines; a crash loses at most the line being written;
`ardoise record` then the `recording` adapter give back what was received. And the network
adapters' configuration."""

from __future__ import annotations

import asyncio
from pathlib import Path

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.format.jsonl import decode
from feeds.tools.recorder import Recorder
from race.models import FeedEvent, FeedStatus, Telemetry
from tests.support.cli import assert_config_error, run_ardoise, write
from tests.support.liveserver import stage_events, write_recording

EVENTS = stage_events(20)


async def replayed(path: Path) -> tuple[list[FeedEvent], int]:
    """The data events of a recording, and how many lines were bad."""
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))
    events = [e async for e in feed.events()]
    return [e for e in events if not isinstance(e, FeedStatus)], feed.rejected


def test_every_line_is_on_disk_as_soon_as_written(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    recorder = Recorder(path)
    for count, event in enumerate(EVENTS[:5], start=1):
        recorder.write(event, at=1000.0 + count)
        # Read by another handle without closing: flushed line by line.
        assert len(path.read_text(encoding="utf-8").splitlines()) == count
    recorder.close()
    assert [decode(line).event for line in path.read_text().splitlines()] == EVENTS[:5]


async def test_a_crash_loses_only_the_line_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    with Recorder(path) as recorder:
        for event in EVENTS[:10]:
            recorder.write(event)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text.splitlines()[-1][:500], encoding="utf-8")  # Cut mid-line.
    with Recorder(path) as recorder:  # Restarted: appends after ending the cut line.
        for event in EVENTS[10:]:
            recorder.write(event)
    events, bad = await replayed(path)
    assert events == EVENTS
    assert bad == 1, "the cut line is counted, the next one is intact"


def test_ardoise_record_then_replay(tmp_path: Path) -> None:
    source = write_recording(tmp_path / "source.jsonl", EVENTS)
    config = write(tmp_path, f'[feed]\nadapter = "recording"\npath = "{source}"\nspeed = 0\n')
    output = tmp_path / "out.jsonl"
    result = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert f"recorded 20 events (19 frames) and 2 statuses to {output}" in result.stderr
    events, bad = asyncio.run(replayed(output))
    assert (events, bad) == (EVENTS, 0)
    statuses = [decode(line).event for line in output.read_text().splitlines()]
    assert isinstance(statuses[0], FeedStatus)
    assert statuses[0].state == "live"

    # --until: frames after that feed time are not recorded; a second run appends.
    frames = [e for e in EVENTS if isinstance(e, Telemetry)]
    until = frames[9].t
    again = run_ardoise("record", "--config", str(config), "-o", str(output), "--until", str(until))
    assert again.returncode == 0, again.stderr
    assert "recorded 11 events (10 frames)" in again.stderr
    events, _ = asyncio.run(replayed(output))
    assert events == EVENTS + EVENTS[:11]


def test_network_adapters_options_are_checked(tmp_path: Path) -> None:
    cases = {
        '[feed]\nadapter = "sse"\n': ["feed.sse.url", "Field required"],
        '[feed]\nadapter = "http"\n[feed.http]\nurl = "ftp://x"\n': ["feed.http.url"],
        '[feed]\nadapter = "racecenter"\n[feed.racecenter]\nstage = 99\n': [
            "feed.racecenter.stage"
        ],
        '[feed]\nadapter = "racecenter"\n[feed.racecenter]\nbase_ur = "x"\n': [
            "feed.racecenter.base_ur",
            "base_url",
        ],
        '[feed]\nadapter = "sse"\n[feed.sse]\nurl = "http://x"\nbackoff_max_s = 0.1\n': [
            "backoff_max_s must be at least backoff_initial_s"
        ],
        '[feed]\nadapter = "sse"\n[feed.sse]\nurl = "http://x"\ntoken_env = "NO_SUCH_VAR"\n': [
            "feed.sse.token_env",
            "NO_SUCH_VAR is not set",
        ],
    }
    for text, expected in cases.items():
        path = write(tmp_path, text)
        result = run_ardoise("situation", "--config", str(path), "--json")
        assert_config_error(result, str(path), *expected)
