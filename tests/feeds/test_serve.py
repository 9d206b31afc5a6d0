"""The feed server's protocol (pages, ETag, resume, token, Race Center binds) and the commands
`ardoise serve` and `ardoise schema`."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import httpx
import pytest

from feeds.adapters.sse import SseFeed, SseOptions
from feeds.format.wire import FeedDocument, schema
from feeds.net.sse import SSEDecoder
from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from feeds.tools.recorder import record
from race.models import FeedStatus, StartList, Telemetry
from tests.support.cli import run_ardoise
from tests.support.liveserver import LiveServer, stage_events, write_recording

EVENTS = stage_events(48)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_recording(tmp_path_factory.mktemp("serve") / "stage.jsonl", EVENTS)


async def test_poll_pages_etag_and_304(recording: Path) -> None:
    with LiveServer(recording, page_bytes=100_000) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            ids: list[int] = []
            cursor: int | None = None
            pages = 0
            while True:
                params = {"after": cursor} if cursor is not None else {}
                response = await client.get("/feed", params=params)
                assert response.status_code == 200
                page = FeedDocument.model_validate_json(response.content)
                pages += 1
                ids += [event.id for event in page.events]
                cursor = page.cursor
                if not page.more:
                    break
            assert ids == list(range(len(EVENTS)))
            assert pages > 10, "pages of about 100 KB"
            assert page.ended
            assert cursor == len(EVENTS) - 1
            etag = response.headers["etag"]
            quiet = await client.get(
                "/feed", params={"after": cursor}, headers={"If-None-Match": etag}
            )
            assert quiet.status_code == 304
            # The same ETag from a client that is behind: it gets its page.
            behind = await client.get("/feed", params={"after": 3}, headers={"If-None-Match": etag})
            assert behind.status_code == 200
            assert FeedDocument.model_validate_json(behind.content).events[0].id == 4
            assert (await client.get("/feed", params={"after": "x"})).status_code == 400
            index = (await client.get("/")).json()
            assert (index["events"], index["ended"], index["format"]) == (48, True, "ardoise-feed")


async def test_stream_resumes_after_the_last_event_id(recording: Path) -> None:
    with LiveServer(recording) as server:
        async with (
            httpx.AsyncClient() as client,
            client.stream("GET", f"{server.url}/stream", headers={"Last-Event-ID": "44"}) as r,
        ):
            assert r.headers["content-type"].startswith("text/event-stream")
            decoder = SSEDecoder()
            events = [e async for chunk in r.aiter_bytes() for e in decoder.feed(chunk)]
    assert [e.id for e in events] == ["45", "46", "47", None]
    assert [e.event for e in events] == ["telemetry"] * 3 + ["end"]
    assert json.loads(events[-1].data) == {"cursor": 47}


async def test_a_token_is_required_and_never_leaks(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "tok-5f1c2d9e-very-secret"
    monkeypatch.setenv("RELAY_TOKEN", token)
    monkeypatch.setenv("WRONG_TOKEN", "not-the-token")
    caplog.set_level(logging.DEBUG)
    with LiveServer(recording, token=token) as server:
        async with httpx.AsyncClient() as client:
            refused = await client.get(f"{server.url}/feed")
        assert refused.status_code == 401
        good = SseFeed(SseOptions(url=f"{server.url}/stream", token_env="RELAY_TOKEN"))
        stats = await record(good, tmp_path / "good.jsonl")
        assert stats.data == len(EVENTS)
        bad = SseFeed(
            SseOptions(
                url=f"{server.url}/stream",
                token_env="WRONG_TOKEN",
                backoff_initial_s=0.1,
                backoff_max_s=0.2,
            )
        )
        statuses: list[FeedStatus] = []

        def stop_at_error(event: object) -> None:
            if isinstance(event, FeedStatus):
                statuses.append(event)
                if event.state == "error":
                    raise StopAsyncIteration

        with pytest.raises(StopAsyncIteration):
            await record(bad, tmp_path / "bad.jsonl", on_event=stop_at_error)
    assert statuses[-1].detail == "HTTP 401 Unauthorized (check the token)"
    written = (tmp_path / "good.jsonl").read_text() + (tmp_path / "bad.jsonl").read_text()
    assert token not in written
    assert "not-the-token" not in written
    assert token not in caplog.text


async def test_racecenter_binds_from_any_feed(recording: Path) -> None:
    """A feed that is not a Race Center recording, served as one: the adapter reads the same
    riders, teams, stage, climbs and frames (what the format cannot carry aside). The feed
    waits for the adapter's stream, which then gets every frame."""
    source = EVENTS[0]
    assert isinstance(source, StartList)
    with LiveServer(recording, "racecenter", wait_for_client=True) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            index = (await client.get("/")).json()
            assert set(index["endpoints"]) >= {
                "/live-stream",
                "/api/allCompetitors-2026",
                "/api/team-2026",
                "/api/stage-2026",
                "/api/checkpoint-2026-4",
                "/api/trace-2026-4",
                "/tdf/2026/stage-4/trace.json",
            }
            not_published = await client.get("/api/allCompetitors-2025")
            assert (not_published.status_code, not_published.content) == (204, b"")
            by_path = await client.get("/tdf/2026/stage-4/trace.json")
            assert by_path.json() == (await client.get("/api/trace-2026-4")).json()
            assert (await client.get("/tdf/2026/stage-5/trace.json")).status_code == 404
        adapter = RaceCenterFeed(RaceCenterOptions(base_url=server.url, year=2026, stage=4))
        received = []
        async for event in adapter.events():
            if not isinstance(event, FeedStatus):
                received.append(event)
            if len(received) == len(EVENTS):
                break
        await adapter.aclose()
    start, frames = received[0], received[1:]
    assert isinstance(start, StartList)
    assert [f.model_dump() for f in frames] == [
        e.model_dump() for e in EVENTS if isinstance(e, Telemetry)
    ]
    stage, original = start.stage, source.stage
    assert (stage.name, stage.distance_km, stage.type, stage.timezone) == (
        original.name,
        original.distance_km,
        original.type,
        original.timezone,
    )
    assert stage.climbs == original.climbs
    assert set(start.teams) == set(source.teams)
    assert {(r.bib, r.first_name, r.last_name, r.team) for r in start.riders} == {
        (r.bib, r.first_name, r.last_name, r.team) for r in source.riders
    }
    assert len(stage.profile) == len(original.profile)
    assert max(abs(a.km - b.km) for a, b in zip(stage.profile, original.profile, strict=True)) < 0.2


async def test_schema_endpoint_and_command(recording: Path) -> None:
    with LiveServer(recording) as server:
        async with httpx.AsyncClient() as client:
            served = (await client.get(f"{server.url}/schema")).json()
    assert served == schema()
    result = run_ardoise("schema")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == schema()
    assert printed["title"] == "Ardoise feed"
    assert {"WireEvent", "Telemetry", "StartList", "FeedStatus"} <= printed["$defs"].keys()


def test_serve_reports_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_ardoise("serve", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_needs_the_token_variable_it_names(tmp_path: Path) -> None:
    result = run_ardoise("serve", "--port", "0", "--token-env", "ARDOISE_TEST_NO_SUCH_VARIABLE")
    assert result.returncode == 1
    assert "ARDOISE_TEST_NO_SUCH_VARIABLE" in result.stderr
    assert "Traceback" not in result.stderr
