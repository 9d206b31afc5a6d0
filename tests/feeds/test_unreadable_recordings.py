"""Recordings no byte can stop: lines that are not UTF-8, gzip streams and JSON documents cut
short, in both formats. Each bad line is counted; a file cut short is replayed up to the cut and
ends with an `error` status saying so."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.base import FeedError
from feeds.format.jsonl import encode
from feeds.format.racecenter import read_racecenter
from feeds.racecenter.encoding import ROUTE_BIND, rest_records, update_line
from feeds.simulation import simulate
from race.models import FeedEvent, FeedStatus, StartList, Telemetry
from tests.support.stages import SEED, STAGE_5, needs_stage_5

EVENTS = list(islice(simulate("flat", SEED), 30))
DAY = "2026-07-04"


async def replay(path: Path) -> list[FeedEvent]:
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))
    return [event async for event in feed.events()]


def data_of(events: list[FeedEvent]) -> list[FeedEvent]:
    return [e for e in events if not isinstance(e, FeedStatus)]


def jsonl_bytes(events: list[FeedEvent]) -> bytes:
    return "".join(encode(e, at=1000.0 + i) + "\n" for i, e in enumerate(events)).encode()


def racecenter_document(events: list[FeedEvent]) -> dict[str, object]:
    """A Race Center recording of simulated events (encoded as `serve --as racecenter` does)."""
    start = events[0]
    assert isinstance(start, StartList)
    year, number = start.stage.year, start.stage.number or 0
    records = rest_records(start)
    stage = records[f"stage-{year}"][0]
    rest = {
        "riders": records[f"allCompetitors-{year}"],
        "teams": records[f"team-{year}"],
        "stages": {DAY: stage},
        "checkpoints": records[f"checkpoint-{year}-{number}"],
        "trace": records.get(ROUTE_BIND.format(year=year, stage=number)),
    }
    updates = [
        {"dt": i, "data": update_line(e, year)}
        for i, e in enumerate(events[1:])
        if isinstance(e, Telemetry)
    ]
    return {"version": 1, "meta": {"date": DAY, "year": year}, "rest": rest, "events": updates}


async def intact_frames(tmp_path: Path, raw: bytes) -> list[Telemetry]:
    """The frames of a whole Race Center recording (its encoding rounds them)."""
    path = tmp_path / "intact.json"
    path.write_bytes(raw)
    replayed = await replay(path)
    last = replayed[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.rejected) == ("ended", 0)
    return [e for e in replayed if isinstance(e, Telemetry)]


@pytest.mark.parametrize("compress", [False, True])
async def test_a_byte_that_is_not_utf8_spoils_its_line_only(tmp_path: Path, compress: bool) -> None:
    lines = jsonl_bytes(EVENTS).split(b"\n")
    for at in (3, 7, 8):  # \xb2 (a lone continuation byte), \xff, a cut 2-byte sequence.
        lines[at] = lines[at].replace(b'"kind"', (b'"k\xb2"', b'"\xffk"', b'"k\xc3"')[at % 3], 1)
    raw = b"\n".join(lines)
    path = tmp_path / ("stage.jsonl.gz" if compress else "stage.jsonl")
    path.write_bytes(gzip.compress(raw) if compress else raw)
    replayed = await replay(path)
    assert data_of(replayed) == [e for i, e in enumerate(EVENTS) if i not in (3, 7, 8)]
    last = replayed[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.rejected) == ("ended", 3)
    details = [e.detail for e in replayed if isinstance(e, FeedStatus)]
    assert next(d for d in details if d.startswith("line ")).startswith("line 4: ")


async def test_a_gzip_recording_cut_short_is_replayed_to_the_cut(tmp_path: Path) -> None:
    whole = gzip.compress(jsonl_bytes(EVENTS))
    for size in (len(whole) // 2, len(whole) - 4, len(whole) - 9):  # Data, CRC, size lost.
        path = tmp_path / f"cut-{size}.jsonl.gz"
        path.write_bytes(whole[:size])
        replayed = await replay(path)
        kept = data_of(replayed)
        assert kept == EVENTS[: len(kept)], "a prefix of the recording, in order"
        last = replayed[-1]
        assert isinstance(last, FeedStatus)
        assert last.state == "error"
        assert last.detail.startswith(f"end of {path.name}: the file is cut short (")
        assert " at line " in last.detail
        assert last.rejected >= 1
    assert len(kept) >= len(EVENTS) - 2, "only the trailer lost: the lines before it are read"


async def test_a_corrupt_gzip_block_ends_the_replay_with_a_status(tmp_path: Path) -> None:
    whole = bytearray(gzip.compress(jsonl_bytes(EVENTS), compresslevel=1))
    for at in range(len(whole) // 2, len(whole) // 2 + 64):
        whole[at] ^= 0x5A  # A scrambled stretch: the deflate stream (or the CRC) is wrong.
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(bytes(whole))
    replayed = await replay(path)
    last = replayed[-1]
    assert isinstance(last, FeedStatus)
    assert last.state == "error"
    assert "the file is cut short" in last.detail
    assert len(data_of(replayed)) < len(EVENTS)


@pytest.mark.parametrize("compress", [False, True])
async def test_a_race_center_document_cut_short_keeps_its_complete_updates(
    tmp_path: Path, compress: bool
) -> None:
    document = racecenter_document(EVENTS)
    raw = json.dumps(document).encode()
    frames = await intact_frames(tmp_path, raw)
    cut_at = raw.index(b'{"dt": 20,') + 40  # Inside update 21.
    path = tmp_path / ("stage.json.gz" if compress else "stage.json")
    if compress:  # The gzip stream cut too: the JSON is then cut wherever the stream stops.
        path.write_bytes(gzip.compress(raw[:cut_at])[:-6])
    else:
        path.write_bytes(raw[:cut_at])
    replayed = await replay(path)
    assert isinstance(replayed[1], StartList)
    kept = [e for e in replayed if isinstance(e, Telemetry)]
    assert kept == frames[: len(kept)]
    if compress:  # The last block of the gzip stream is lost with its end.
        assert 15 <= len(kept) <= 20
    else:
        assert len(kept) == 20, "every update before the one cut"
    last = replayed[-1]
    assert isinstance(last, FeedStatus)
    assert last.state == "error"
    assert last.rejected == 1
    expected = "the file is cut short" if compress else "unreadable from character"
    assert expected in last.detail
    assert last.detail.endswith(f"after event {len(kept)}")


async def test_race_center_updates_that_are_not_utf8_are_counted(tmp_path: Path) -> None:
    document = racecenter_document(EVENTS)
    raw = json.dumps(document, ensure_ascii=False).encode()
    raw = raw.replace(b'{"dt": 5, "data": "{\\"bind', b'{"dt": 5, "data": "{\\"b\xffind', 1)
    raw = raw.replace(b'{"dt": 9, "data": "{\\"bind', b'{"dt": 9, "data": "{\\"b\\udcb2ind', 1)
    first = document["rest"]["riders"][0]["lastname"].encode()  # type: ignore[index]
    raw = raw.replace(b'"lastname": "' + first, b'"lastname": "\xb2' + first, 1)
    path = tmp_path / "stage.json"
    path.write_bytes(raw)
    replayed = await replay(path)
    start = replayed[1]
    assert isinstance(start, StartList)
    assert any(r.last_name.startswith("\ufffd") for r in start.riders), "shown as U+FFFD"
    frames = await intact_frames(tmp_path, json.dumps(document).encode())
    assert [e for e in replayed if isinstance(e, Telemetry)] == frames[:5] + frames[6:9] + frames[
        10:
    ]
    last = replayed[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.rejected) == ("ended", 2)
    details = {e.detail for e in replayed if isinstance(e, FeedStatus)}
    assert {"event 6: not UTF-8 text", "event 10: not UTF-8 text"} <= details


def test_a_race_center_document_without_its_records_cannot_start(tmp_path: Path) -> None:
    raw = json.dumps(racecenter_document(EVENTS)).encode()
    path = tmp_path / "stage.json"
    path.write_bytes(raw[: raw.index(b'"riders"') + 50])  # Cut inside `rest`.
    with pytest.raises(FeedError, match=r"no `rest` records \(the JSON document is unreadable"):
        read_racecenter(path)
    path.write_bytes(b"[" * 100_000)
    with pytest.raises(FeedError, match="no `rest` records"):
        read_racecenter(path)


@needs_stage_5
async def test_the_real_stage_cut_short_is_replayed_to_the_cut(tmp_path: Path) -> None:
    whole = STAGE_5.read_bytes()
    path = tmp_path / "stage5-cut.json.gz"
    path.write_bytes(whole[: len(whole) * 3 // 4])
    replayed = await replay(path)
    frames = [e for e in replayed if isinstance(e, Telemetry)]
    assert 300 < len(frames) < 1236, "the frames before the cut, not the 1,236 of the stage"
    last = replayed[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.rejected) == ("error", 1)
    assert last.detail.startswith("end of stage5-cut.json.gz: the file is cut short (")
