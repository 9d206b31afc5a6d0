"""`ardoise serve --as racecenter` as the real Race Center behaves: a new client of the live
stream gets the current state of each bind, then what comes next (a client that sends
`Last-Event-ID` resumes exactly after it); 503 until the start list, then 204 for a bind not
published; the stage record dated; https, and its mistakes stopped with one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from feeds.net.sse import KEEPALIVE, ServerSentEvent, SSEDecoder
from feeds.racecenter.encoding import rest_records
from feeds.racecenter.wire import scheduled_start
from feeds.tools.server import create_app
from feeds.tools.sources import FeedLog, RaceCenterRecordingSource
from race.models import StartList
from tests.feeds.test_serve_hostile import serving
from tests.feeds.test_unreadable_recordings import racecenter_document
from tests.support.cli import run_ardoise
from tests.support.liveserver import stage_events
from tests.support.rc_client import self_signed

EVENTS = stage_events(8)
UUID_LINE = "5b0f6c2e-2f7e-4b8e-9d7a-0c1d2e3f4a5b"
"""A bare id on a data line, as the real stream sends now and then: not an update of a bind."""


def with_other_binds(path: Path) -> Path:
    """A Race Center recording whose 7 telemetry updates are interleaved with updates of two
    other binds and ends with a bare id: lines 0 T, 1 T, 2 W, 3 C, 4 T, 5 T, 6 C, 7 T, 8 T,
    9 T, 10 id (T telemetry, W withdrawals, C checkpoints)."""
    document = racecenter_document(EVENTS)
    updates = document["events"]
    assert isinstance(updates, list)
    telemetry = [event["data"] for event in updates]

    def update(bind: str, data: object) -> str:
        return json.dumps({"bind": bind, "data": data})

    withdrawals = update("stageWithdrawals-2026-4", [{"bib": 51}])
    checkpoint = (update("checkpoint-2026-4", {"0": {"n": n}}) for n in (1, 2))
    lines = [*telemetry[:2], withdrawals, next(checkpoint), *telemetry[2:4]]
    lines += [next(checkpoint), *telemetry[4:], UUID_LINE]
    document["events"] = [{"dt": 6000, "data": line} for line in lines]
    path.write_text(json.dumps(document))
    return path


async def read_until_quiet(url: str, **headers: str) -> list[ServerSentEvent]:
    """The events of a live stream up to its first keep-alive (it has sent all it holds)."""
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    async with httpx.AsyncClient() as client, client.stream("GET", url, headers=headers) as r:
        assert r.status_code == 200
        received = b""
        async for chunk in r.aiter_bytes():
            events += decoder.feed(chunk)
            received += chunk
            if KEEPALIVE in received:
                break
    return events


async def test_a_new_client_gets_the_state_of_each_bind_then_what_comes_next(
    tmp_path: Path,
) -> None:
    path = with_other_binds(tmp_path / "stage.json")
    lines = [event["data"] for event in json.loads(path.read_text())["events"]]
    source = RaceCenterRecordingSource(path, speed=0, hold=True)
    app = create_app(source, "racecenter", keepalive_s=0.05)
    with serving(app) as url:
        first = await read_until_quiet(f"{url}/live-stream")  # Connected before the feed.
        late = await read_until_quiet(f"{url}/live-stream")
        resumed = await read_until_quiet(f"{url}/live-stream", **{"Last-Event-ID": "5"})
    assert [(e.id, e.data) for e in first] == [(str(i), line) for i, line in enumerate(lines)]
    # The latest withdrawals (2), checkpoint (6) and telemetry (9) updates; not the bare id.
    assert [(e.id, e.data) for e in late] == [(str(i), lines[i]) for i in (2, 6, 9)]
    assert [e.id for e in resumed] == ["6", "7", "8", "9", "10"]
    assert {e.event for e in first + late + resumed} == {"update"}


class StartListLater:
    """A source whose start list comes once a client has opened the live stream."""

    label = "later"

    async def pump(self, log: FeedLog) -> None:
        await log.first_client()
        start = EVENTS[0]
        assert isinstance(start, StartList)
        log.rest = {bind: json.dumps(v).encode() for bind, v in rest_records(start).items()}
        log.finish()


async def test_503_until_the_start_list_then_204_for_a_bind_not_published() -> None:
    with serving(create_app(StartListLater(), "racecenter", keepalive_s=0.05)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            for path in ("/api/stage-2026", "/api/anything", "/tdf/2026/stage-4/trace.json"):
                early = await client.get(path)
                assert (early.status_code, early.headers["retry-after"]) == (503, "1"), path
            assert await read_until_quiet(f"{url}/live-stream") == []

            async def status(path: str) -> int:
                return (await client.get(path)).status_code

            deadline = time.monotonic() + 10
            while await status("/api/stage-2026") == 503:  # Comes on the source's next turn.
                assert time.monotonic() < deadline, "the start list never came"
            unknown = await client.get("/api/stageWithdrawals-2026-4")
            assert (unknown.status_code, unknown.content) == (204, b"")
            assert await status("/tdf/2026/stage-4/trace.json") == 200
            assert await status("/tdf/2026/stage-9/trace.json") == 404


def test_the_stage_record_is_dated_in_the_stage_zone() -> None:
    start = EVENTS[0]
    assert isinstance(start, StartList)
    assert start.stage.timezone == "Europe/Paris"
    late_evening = 1_783_463_400.0  # 2026-07-07 22:30 UTC: 00:30 the next day in Paris.
    scheduled = start.model_copy(
        update={"stage": start.stage.model_copy(update={"scheduled_start": late_evening})}
    )
    by_schedule = rest_records(scheduled, first_t=1.0)["stage-2026"][0]
    assert by_schedule["date"] == "2026-07-08T00:00:00+02:00"
    assert by_schedule["startTime"] == "00:30:00"
    assert by_schedule["timezone"] == "Europe/Paris"
    assert scheduled_start(by_schedule) == late_evening, "the reader gets the same time back"
    by_frame = rest_records(start, first_t=1_783_512_007.6)["stage-2026"][0]
    assert (by_frame["date"], by_frame["startTime"]) == ("2026-07-08T00:00:00+02:00", "14:00:07")
    undated = rest_records(start)["stage-2026"][0]
    assert "date" not in undated
    assert "startTime" not in undated
    assert undated["timezone"] == "Europe/Paris"


def assert_stopped(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ardoise: ")
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0]


def test_tls_mistakes_stop_with_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    missing = tmp_path / "missing.pem"
    serve = ("serve", "--port", "0", "--as", "racecenter")
    assert_stopped(
        run_ardoise(*serve, "--tls-cert", str(missing), "--tls-key", str(garbage)),
        f"cannot serve https: cannot read {missing}: No such file",
    )
    assert_stopped(
        run_ardoise(*serve, "--tls-cert", str(garbage), "--tls-key", str(garbage)),
        f"{garbage}: not a PEM certificate",
    )
    assert_stopped(run_ardoise(*serve, "--tls-key", str(garbage)), "--tls-key needs --tls-cert")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl to make a certificate")
def test_a_key_that_is_not_the_certificates_stops_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    cert, _ = self_signed(tmp_path / "a")
    _, other_key = self_signed(tmp_path / "b")
    result = run_ardoise(
        "serve", "--port", "0", "--tls-cert", str(cert), "--tls-key", str(other_key)
    )
    assert_stopped(result, f"{other_key} is not the private key of {cert}")
