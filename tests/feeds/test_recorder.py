"""Recording a feed: append-only lines written at once; a crash loses at most the line being
written, a full disk nothing written before; recording again resumes without writing an event
twice; `ardoise record` then the `recording` adapter give back what was received. And the network
adapters' configuration."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from feeds.adapters.http import HttpFeed, HttpOptions
from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.sse import SseFeed, SseOptions
from feeds.base import FeedAdapter
from feeds.format.jsonl import decode, encode
from feeds.tools.recorder import Recorder, record
from race.models import FeedEvent, FeedStatus, Telemetry
from tests.support.cli import assert_config_error, run_ardoise, write
from tests.support.liveserver import LiveServer, stage_events, write_recording
from tests.support.stages import ROOT

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
    with Recorder(path) as recorder:  # Restarted: the cut line is dropped, then appended to.
        assert recorder.resumed.cut == 500
        assert recorder.resumed.events == 10
        for event in EVENTS[10:]:
            recorder.write(event)
    events, bad = await replayed(path)
    assert events == EVENTS
    assert bad == 0, "the cut line was dropped, not left in the middle of the file"


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

    # --until: frames after that feed time are not recorded.
    frames = [e for e in EVENTS if isinstance(e, Telemetry)]
    until = frames[9].t
    part = tmp_path / "part.jsonl"
    first = run_ardoise("record", "--config", str(config), "-o", str(part), "--until", str(until))
    assert first.returncode == 0, first.stderr
    assert "recorded 11 events (10 frames)" in first.stderr
    assert asyncio.run(replayed(part)) == (EVENTS[:11], 0)


def test_recording_again_resumes_after_the_last_event(tmp_path: Path) -> None:
    """The source sends everything from the start again: what the file holds is not written
    twice, a line cut by a crash is dropped, and the rest follows."""
    source = write_recording(tmp_path / "source.jsonl", EVENTS)
    config = write(tmp_path, f'[feed]\nadapter = "recording"\npath = "{source}"\nspeed = 0\n')
    output = write_recording(tmp_path / "out.jsonl", EVENTS[:8])
    with output.open("ab") as cut:
        cut.write(encode(EVENTS[8], 1.0).encode()[:300])  # The crash, mid-line.
    result = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        f"ardoise: resuming {output}: it holds 8 events of Tour de l'Ardoise 2026 stage 4"
        in result.stderr
    )
    assert "dropped a line cut short (300 bytes)" in result.stderr
    assert "recorded 12 events (12 frames) and 2 statuses" in result.stderr
    assert "8 already there, not written again" in result.stderr
    assert asyncio.run(replayed(output)) == (EVENTS, 0)

    # Once more: the file holds everything, nothing is added but the statuses.
    again = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert again.returncode == 0, again.stderr
    assert "recorded 0 events (0 frames) and 2 statuses" in again.stderr
    assert "20 already there" in again.stderr
    assert asyncio.run(replayed(output)) == (EVENTS, 0)


@pytest.mark.parametrize("adapter", ["sse", "http"])
async def test_a_served_feed_recorded_again_adds_only_what_is_new(
    tmp_path: Path, adapter: str
) -> None:
    """Ardoise's own feeds, as `ardoise serve` sends them: the second run gets every event from
    the start again, and writes only those the first run stopped before."""
    source = write_recording(tmp_path / "source.jsonl", EVENTS)
    output = tmp_path / "out.jsonl"
    frames = [e for e in EVENTS if isinstance(e, Telemetry)]
    with LiveServer(source) as server:
        for until in (frames[6].t, None):
            feed: FeedAdapter = (
                SseFeed(SseOptions(url=f"{server.url}/stream"))
                if adapter == "sse"
                else HttpFeed(HttpOptions(url=f"{server.url}/feed", interval_s=0.1))
            )
            recorder = Recorder(output)
            stats = await record(feed, output, until=until, recorder=recorder)
            if until is not None:
                assert (stats.data, stats.skipped) == (8, 0)
    assert (stats.data, stats.skipped) == (12, 8)
    assert recorder.resumed.events == 8
    assert await replayed(output) == (EVENTS, 0)


def test_resuming_a_file_of_another_stage_is_refused(tmp_path: Path) -> None:
    output = write_recording(tmp_path / "out.jsonl", EVENTS[:5])
    before = output.read_bytes()
    hilly = '[feed]\nadapter = "simulated"\nspeed = 0\n[feed.simulated]\nscenario = "hilly"\n'
    config = write(tmp_path, hilly)
    result = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert any(
        line.startswith(f"ardoise: {output} holds Tour de l'Ardoise 2026 stage 4")
        and "record to another file" in line
        for line in lines
    ), result.stderr
    # The start list of the other stage was refused: only the feed's first status was added.
    added = output.read_bytes()[len(before) :].decode().splitlines()
    assert output.read_bytes().startswith(before)
    assert [decode(line).event.kind for line in added] == ["status"]


@pytest.mark.parametrize(
    "content", [b"notes\nabout the stage\n", b"\x1f\x8b\x08\x00gzip", b'[{"bind": 1}]']
)
def test_a_file_that_is_not_a_recording_is_left_untouched(tmp_path: Path, content: bytes) -> None:
    output = tmp_path / "stage.jsonl"
    output.write_bytes(content)
    config = write(tmp_path, '[feed]\nadapter = "simulated"\nspeed = 0\n')
    result = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"ardoise: {output} is not an Ardoise recording (no line of it is an event): "
        "record to another file"
    ]
    assert output.read_bytes() == content


def test_a_file_cut_in_its_first_line_is_resumed(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_bytes(encode(EVENTS[0], 1.0).encode()[:100])
    with Recorder(output) as recorder:
        assert (recorder.resumed.cut, recorder.resumed.events) == (100, 0)
        for event in EVENTS:
            recorder.write(event)
    assert asyncio.run(replayed(output)) == (EVENTS, 0)


def record_limited(config: Path, output: Path, max_bytes: int) -> subprocess.CompletedProcess[str]:
    """`ardoise record` allowed files of at most `max_bytes` (the disk is full after them)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    environ = {k: v for k, v in os.environ.items() if not k.startswith("ARDOISE_")}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "record", "--config", str(config), "-o", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=environ,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit,
    )


def assert_write_error(result: subprocess.CompletedProcess[str], output: Path, reason: str) -> str:
    """Exit 1, the error in one line naming the file, then the count: the count's line."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-2] == f"ardoise: cannot write {output}: {reason}", result.stderr
    assert lines[-1].startswith("ardoise: recorded ")
    return lines[-1]


def test_a_full_device_is_one_line_and_exit_1(tmp_path: Path) -> None:
    config = write(tmp_path, '[feed]\nadapter = "simulated"\nspeed = 0\n')
    result = run_ardoise("record", "--config", str(config), "-o", "/dev/full")
    counted = assert_write_error(result, Path("/dev/full"), "No space left on device")
    assert counted == "ardoise: recorded 0 events (0 frames) and 0 statuses to /dev/full"
    assert len(result.stderr.strip().splitlines()) == 2


def test_a_disk_full_mid_stage_keeps_every_event_written_before(tmp_path: Path) -> None:
    source = write_recording(tmp_path / "source.jsonl", EVENTS)
    config = write(tmp_path, f'[feed]\nadapter = "recording"\npath = "{source}"\nspeed = 0\n')
    output = tmp_path / "out.jsonl"
    limit = source.stat().st_size // 2
    counted = assert_write_error(record_limited(config, output, limit), output, "File too large")
    data = output.read_bytes()
    assert 0 < len(data) <= limit
    assert data.endswith(b"\n"), "the line the disk had no room for is cut back whole"
    events, bad = asyncio.run(replayed(output))
    assert bad == 0
    assert 0 < len(events) < len(EVENTS)
    assert events == EVENTS[: len(events)]
    assert counted.startswith(f"ardoise: recorded {len(events)} events ({len(events) - 1} frames)")

    # Room again: recording resumes where the disk filled, and nothing is written twice.
    again = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert again.returncode == 0, again.stderr
    assert f"{len(events)} already there, not written again" in again.stderr
    assert asyncio.run(replayed(output)) == (EVENTS, 0)


def test_a_directory_that_cannot_be_written_is_one_line_and_exit_1(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    # Permissions do not bind root: there, a directory of sysfs (which refuses new files) is used.
    output = (Path("/sys") if os.geteuid() == 0 else locked) / "out.jsonl"
    config = write(tmp_path, '[feed]\nadapter = "simulated"\nspeed = 0\n')
    result = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"ardoise: cannot write {output}: Permission denied"]
    assert not output.exists()


@pytest.mark.parametrize("kind", ["a directory", "a missing folder"])
def test_an_output_that_is_no_file_is_one_line_and_exit_1(tmp_path: Path, kind: str) -> None:
    output = tmp_path if kind == "a directory" else tmp_path / "no" / "out.jsonl"
    reason = "Is a directory" if kind == "a directory" else "No such file or directory"
    config = write(tmp_path, '[feed]\nadapter = "simulated"\nspeed = 0\n')
    result = run_ardoise("record", "--config", str(config), "-o", str(output))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"ardoise: cannot write {output}: {reason}"]


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
