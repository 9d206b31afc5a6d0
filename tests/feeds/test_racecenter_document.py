"""Race Center recordings read as a stream (`feeds.format.racecenter`): the same values as the
whole document decoded at once, wherever the chunks of the file fall, in any order of its
members, one event in memory at a time, and every complete event before a cut."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import feeds.format.racecenter as reader
from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.base import FeedError
from feeds.format.racecenter import Stop, open_racecenter, read_racecenter
from race.models import FeedEvent, FeedStatus, StartList, Telemetry
from tests.feeds.test_unreadable_recordings import EVENTS, racecenter_document
from tests.support.stages import STAGE_5, needs_stage_5

TRICKY_EVENTS: list[Any] = [
    {"dt": 12345, "data": '{"bind": "x", "name": "Pogačar \\u00e9 ü 🚴", "n": -1.5e-3}'},
    {"dt": 0, "data": '\\\\ \\" \t quoted', "extra": [True, False, None, 7, {"k": []}]},
    {"dt": 99999999, "data": "ok"},
    "not an entry",
    {"data": "last"},
]
"""Entries with escapes, multi-byte characters, numbers and literals for chunks to cut."""


def document(order: tuple[str, ...], events: list[Any] = TRICKY_EVENTS) -> dict[str, Any]:
    members: dict[str, Any] = {
        "version": 1,
        "meta": {"date": "2026-07-04", "year": 2026, "place": "Saint-Étienne"},
        "rest": {"riders": [{"bib": 1, "lastname": "Vingegaard"}], "value": 1.25},
        "events": events,
    }
    return {key: members[key] for key in order}


def streamed(path: Path) -> tuple[dict[str, Any], list[Any]]:
    """The members read first, and the events (a `Stop` included) read after."""
    recording = open_racecenter(path)
    return recording.members, list(recording.events())


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_any_chunk_size_reads_what_json_loads_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, indent: int | None
) -> None:
    monkeypatch.setattr(reader, "CHUNK_BYTES", chunk)
    whole = document(("version", "meta", "rest", "events"))
    path = tmp_path / "stage.json"
    path.write_text(json.dumps(whole, indent=indent, ensure_ascii=False), encoding="utf-8")
    members, events = streamed(path)
    assert members == {k: v for k, v in whole.items() if k != "events"}
    assert events == TRICKY_EVENTS
    assert read_racecenter(path).document == whole


@pytest.mark.parametrize(
    "order",
    [
        ("events", "rest", "meta", "version"),
        ("meta", "events", "rest"),
        ("rest", "events", "meta"),
        ("version", "rest", "meta", "events"),
    ],
)
@pytest.mark.parametrize("compress", [False, True])
def test_rest_and_meta_are_found_wherever_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: tuple[str, ...], compress: bool
) -> None:
    monkeypatch.setattr(reader, "CHUNK_BYTES", 16)
    whole = document(order)
    raw = json.dumps(whole).encode()
    path = tmp_path / "stage.json.gz"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    members, events = streamed(path)
    assert list(members) == [key for key in order if key != "events"]
    assert members["rest"] == whole["rest"]
    assert members["meta"] == whole["meta"]
    assert events == TRICKY_EVENTS, "every event, once, in order"


async def replay(path: Path) -> list[FeedEvent]:
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))
    return [event async for event in feed.events()]


async def test_a_replay_is_the_same_when_rest_comes_after_the_events(tmp_path: Path) -> None:
    whole = racecenter_document(EVENTS)
    usual, reordered = tmp_path / "usual.json", tmp_path / "reordered.json"
    usual.write_text(json.dumps(whole))
    reordered.write_text(json.dumps({k: whole[k] for k in ("events", "meta", "rest", "version")}))
    first, second = await replay(usual), await replay(reordered)
    assert isinstance(second[1], StartList)
    assert [e for e in second if isinstance(e, Telemetry)] == [
        e for e in first if isinstance(e, Telemetry)
    ]
    assert [e for e in first if not isinstance(e, FeedStatus)] == [
        e for e in second if not isinstance(e, FeedStatus)
    ]
    last = second[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.rejected) == ("ended", 0)


def entry_ends(raw: str, count: int) -> list[int]:
    """Where each of the first `count` entries of `events` ends in `raw` (written compact)."""
    decoder = json.JSONDecoder()
    at = raw.index('"events": [') + len('"events": [')
    ends = []
    for _ in range(count):
        _, at = decoder.raw_decode(raw, at)
        ends.append(at)
        at += len(", ")
    return ends


def test_a_document_cut_anywhere_in_its_events_gives_each_complete_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "CHUNK_BYTES", 5)
    raw = json.dumps(document(("version", "meta", "rest", "events")), ensure_ascii=False)
    ends = entry_ends(raw, len(TRICKY_EVENTS))
    events_at = raw.index('"events"')
    path = tmp_path / "cut.json"
    for cut in range(events_at, len(raw) - 1):
        path.write_text(raw[:cut], encoding="utf-8")
        _, events = streamed(path)
        complete = sum(end <= cut for end in ends)
        stop = events[-1]
        assert events[:-1] == TRICKY_EVENTS[:complete], f"cut at {cut}"
        assert isinstance(stop, Stop)
        assert stop.after == complete
        assert stop.reason.startswith("the JSON document is unreadable from character ")
        where = int(stop.reason.rsplit(" ", 1)[1])
        assert where <= cut, "it says where reading stopped, inside what was read"


def test_a_gzip_stream_missing_its_trailer_keeps_every_event(tmp_path: Path) -> None:
    raw = json.dumps(document(("version", "meta", "rest", "events"))).encode()
    path = tmp_path / "stage.json.gz"
    path.write_bytes(gzip.compress(raw)[:-4])  # The size lost: the JSON is whole.
    _, events = streamed(path)
    stop = events[-1]
    assert events[:-1] == TRICKY_EVENTS
    assert isinstance(stop, Stop)
    assert stop.after == len(TRICKY_EVENTS)
    assert stop.reason.startswith("the file is cut short (")


def test_text_after_the_document_is_where_it_stops(tmp_path: Path) -> None:
    raw = json.dumps(document(("version", "meta", "rest", "events")))
    path = tmp_path / "stage.json"
    path.write_text(raw + "\n  garbage")
    _, events = streamed(path)
    assert events[:-1] == TRICKY_EVENTS
    assert events[-1] == Stop(
        f"the JSON document is unreadable from character {len(raw) + 3}", len(TRICKY_EVENTS)
    )


def test_bytes_not_utf8_in_rest_after_the_events_are_mended(tmp_path: Path) -> None:
    raw = json.dumps(document(("events", "rest", "meta")), ensure_ascii=False).encode()
    raw = raw.replace(b"Vingegaard", b"Vinge\xffgaard").replace(b'"ok"', b'"o\xb2k"')
    path = tmp_path / "stage.json"
    path.write_bytes(raw)
    members, events = streamed(path)
    assert members["rest"]["riders"][0]["lastname"] == "Vinge\ufffdgaard"
    assert events[2]["data"] == "o\udcb2k", "kept for the replay to reject that update only"


def test_files_that_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="cannot read"):
        open_racecenter(tmp_path / "absent.json.gz")
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    with pytest.raises(FeedError, match="cannot read"):
        open_racecenter(broken)
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"{}")
    with pytest.raises(FeedError, match=r"no `rest` records$"):
        open_racecenter(empty)
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(document(("events", "rest")))[:-20])
    with pytest.raises(FeedError, match=r"no `rest` records \(the JSON document is unreadable"):
        open_racecenter(cut)


def test_the_events_are_never_held_together(tmp_path: Path) -> None:
    data = json.dumps({"bind": "telemetryCompetitor-2026", "Riders": ["x" * 100] * 100})
    events = [{"dt": 6000, "data": data} for _ in range(1500)]  # 16 MB of text, as a stage.
    raw = json.dumps(document(("version", "meta", "events", "rest"), events))
    path = tmp_path / "stage.json"
    path.write_text(raw)
    tracemalloc.start()
    try:
        recording = open_racecenter(path)  # `rest` is after the events: read twice.
        count = sum(1 for entry in recording.events() if isinstance(entry, dict))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == len(events)
    assert peak < len(raw) / 8, f"{peak / 1e6:.1f} MB held for {len(raw) / 1e6:.1f} MB of text"


@needs_stage_5
def test_the_real_stage_reads_as_json_loads_reads_it() -> None:
    whole = json.loads(gzip.decompress(STAGE_5.read_bytes()))
    recording = read_racecenter(STAGE_5)
    assert recording.cut is None
    assert recording.document == whole
