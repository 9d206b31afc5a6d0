"""`ardoise serve` against clients' mistakes and a failing source, on real servers on 127.0.0.1:
400 for a malformed event id, slow clients dropped, an error event when the source fails."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from feeds.adapters.http import HttpFeed, HttpOptions
from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.sse import SseFeed, SseOptions
from feeds.format.jsonl import encode
from feeds.net.sse import ServerSentEvent, SSEDecoder
from feeds.tools.server import create_app, listen, server
from feeds.tools.sources import AdapterSource, FeedLog, RaceCenterRecordingSource
from race.models import FeedStatus
from tests.feeds.test_unreadable_recordings import racecenter_document
from tests.support.liveserver import LiveServer, stage_events, write_recording
from tests.support.waiting import until

EVENTS = stage_events(12)


@contextmanager
def serving(app: Any, headers_within_s: float | None = None) -> Iterator[str]:
    """`app` on the server `ardoise serve` runs, on 127.0.0.1 in a thread; yields its URL."""
    sock = listen("127.0.0.1", 0)
    served = server(app, headers_within_s=headers_within_s, log_level="critical")
    thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not served.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server stopped"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        served.should_exit = True
        thread.join(timeout=10)


def cut_recording(path: Path) -> Path:
    """A gzip recording of `EVENTS` cut short: 8 bytes of its trailer lost."""
    lines = "".join(encode(e, at=1000.0 + i) + "\n" for i, e in enumerate(EVENTS))
    path.write_bytes(gzip.compress(lines.encode())[:-8])
    return path


async def read_stream(url: str, **headers: str) -> list[ServerSentEvent]:
    async with httpx.AsyncClient() as client, client.stream("GET", url, headers=headers) as r:
        assert r.status_code == 200
        decoder = SSEDecoder()
        return [e async for chunk in r.aiter_bytes() for e in decoder.feed(chunk)]


BAD_IDS = ["%C2%B2", "9" * 5000, "-1", "x", "", "1e3", "%201", "%FF"]


async def test_a_malformed_event_id_is_a_400_with_one_line(tmp_path: Path) -> None:
    recording = write_recording(tmp_path / "stage.jsonl", EVENTS)
    answered: list[tuple[str, int]] = []
    with LiveServer(recording) as ardoise, LiveServer(recording, "racecenter") as racecenter:
        async with httpx.AsyncClient() as client:
            requests: list[tuple[str, str, dict[bytes, bytes]]] = [
                ("GET", f"{ardoise.url}/feed?after={v}", {}) for v in BAD_IDS
            ]
            requests += [("GET", f"{ardoise.url}/stream?after={v}", {}) for v in BAD_IDS]
            for value in (b"\xb2", b"9" * 5000, b"-3", b"+4", b"4 5", "²".encode()):
                for url in (f"{ardoise.url}/stream", f"{racecenter.url}/live-stream"):
                    requests.append(("GET", url, {b"Last-Event-ID": value}))
            for method, url, headers in requests:
                response = await client.request(method, url, headers=headers)
                answered.append((url, response.status_code))
                assert response.headers["content-type"].startswith("text/plain")
                assert response.text.count("\n") == 1
                assert "Traceback" not in response.text
                assert "must be an event id" in response.text
            good = await client.get(f"{ardoise.url}/feed", params={"after": "3"})
    assert [code for _, code in answered] == [400] * (2 * len(BAD_IDS) + 12)
    assert good.status_code == 200


async def test_a_source_cut_short_ends_every_stream_with_an_error_event(tmp_path: Path) -> None:
    recording = cut_recording(tmp_path / "stage.jsonl.gz")
    with LiveServer(recording) as live:
        events = await read_stream(f"{live.url}/stream")
        async with httpx.AsyncClient() as client:
            page = {"cursor": 0, "more": True}
            while page["more"]:
                page = (
                    await client.get(f"{live.url}/feed", params={"after": page["cursor"]})
                ).json()
        sse_events = await follow(SseFeed(SseOptions(url=f"{live.url}/stream")))
        http_events = await follow(HttpFeed(HttpOptions(url=f"{live.url}/feed", interval_s=0.1)))
    last = events[-1]
    assert last.event == "error"
    error = json.loads(last.data)
    assert error["cursor"] == len(events) - 2 >= 8, "the events before the cut were served"
    assert error["error"].startswith("end of stage.jsonl.gz: the file is cut short (")
    assert (page["ended"], page["error"]) == (True, error["error"])
    for followed in (sse_events, http_events):
        end = followed[-1]
        assert isinstance(end, FeedStatus)
        assert end.state == "ended"
        assert end.detail == f"the feed's source failed: {error['error']}"
        assert len([e for e in followed if not isinstance(e, FeedStatus)]) == error["cursor"] + 1


async def follow(feed: SseFeed | HttpFeed) -> list[Any]:
    async with asyncio.timeout(20):  # An unending feed fails the test instead of hanging it.
        return [event async for event in feed.events()]


class Exploding:
    """A source that sends two events, then raises."""

    label = "exploding"

    async def pump(self, log: FeedLog) -> None:
        feed = RecordingFeed(RecordingOptions(path=self.path, speed=0))
        source = AdapterSource(feed, "ardoise", "x")
        inner = FeedLog()
        await source.pump(inner)
        for name, data in inner.entries[:2]:
            log.append(name, data)
        raise RuntimeError("the disk went away")

    def __init__(self, path: Path) -> None:
        self.path = path


async def test_a_source_that_raises_ends_the_stream_with_its_reason(tmp_path: Path) -> None:
    recording = write_recording(tmp_path / "stage.jsonl", EVENTS)
    with serving(create_app(Exploding(recording))) as url:
        events = await read_stream(f"{url}/stream")
        async with httpx.AsyncClient() as client:
            index = (await client.get(url)).json()
    assert [e.event for e in events] == ["start_list", "telemetry", "error"]
    assert json.loads(events[-1].data) == {
        "cursor": 1,
        "error": "RuntimeError: the disk went away",
    }
    assert (index["ended"], index["source_failure"]) == (True, "RuntimeError: the disk went away")


async def test_a_race_center_recording_cut_short_ends_its_stream(tmp_path: Path) -> None:
    raw = json.dumps(racecenter_document(EVENTS)).encode()
    path = tmp_path / "stage.json"
    path.write_bytes(raw[: raw.index(b'{"dt": 6,') + 30])
    source = RaceCenterRecordingSource(path, speed=0, hold=True)
    with serving(create_app(source, "racecenter")) as url:
        events = await read_stream(f"{url}/live-stream")  # The first client: every update.
        late = await read_stream(f"{url}/live-stream")  # Later: the current state.
        async with httpx.AsyncClient() as client:
            again = await client.get(
                f"{url}/live-stream", headers={"Last-Event-ID": events[-2].id or ""}
            )
    assert [e.event for e in events] == ["update"] * 6 + ["error"]
    assert "the JSON document is unreadable" in json.loads(events[-1].data)["error"]
    assert [(e.event, e.id) for e in late] == [("update", "5"), ("error", None)]
    assert late[0].data == events[5].data
    assert again.status_code == 503, "it has everything: come back later, not at once"
    assert again.headers["retry-after"] == "30"


async def test_slow_clients_are_dropped_after_the_header_bound(tmp_path: Path) -> None:
    recording = write_recording(tmp_path / "stage.jsonl", EVENTS)
    feed = RecordingFeed(RecordingOptions(path=recording, speed=0))
    bound = 1.0
    with serving(create_app(AdapterSource(feed, "ardoise", "stage")), bound) as url:
        port = int(url.rsplit(":", 1)[1])
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
        started = time.monotonic()
        for sock in slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # Never the blank line.
            sock.setblocking(False)
        closed: set[int] = set()

        def dropped() -> bool:
            for number, sock in enumerate(slow):
                if number in closed:
                    continue
                try:
                    sock.sendall(b"X-Slow: 1\r\n")  # A byte now and then: still not done.
                    if sock.recv(1) == b"":
                        closed.add(number)
                except BlockingIOError:
                    pass
                except OSError:  # Reset: closed too.
                    closed.add(number)
            return len(closed) == len(slow)

        async with httpx.AsyncClient() as client:
            served = await client.get(url)  # A real client is answered meanwhile.
            await until(dropped, within=bound + 10, what="the 50 slow clients dropped")
        took = time.monotonic() - started
        for sock in slow:
            sock.close()
    assert served.status_code == 200
    assert len(closed) == 50
    assert bound <= took < bound + 10


def test_event_data_that_is_not_utf8_is_flagged() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b'id: 1\ndata: {"a": "\xb2"}\n\nid: 2\ndata: {"a": "\xc3\xa9"}\n\n')
    assert [(e.id, e.undecodable) for e in events] == [("1", True), ("2", False)]
    assert events[0].data == '{"a": "\ufffd"}'


def test_a_poll_page_with_text_that_is_not_utf8_rejects_only_its_events() -> None:
    from feeds.adapters.http import _document

    good = [json.loads(encode(e, at=1.0)) | {"id": i} for i, e in enumerate(EVENTS[:3])]
    body = json.dumps({"format": "ardoise-feed", "cursor": 2, "events": good}).encode()
    body = body.replace(b'"kind": "telemetry"', b'"kind": "telemetry\xff"', 1)
    page = _document(body)
    assert [isinstance(item, str) for item in page.events] == [False, True, False]
    assert page.cursor == 2
