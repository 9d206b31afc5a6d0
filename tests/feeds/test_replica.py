"""The Race Center replica (`tests.support.replica`) and the `racecenter` adapter against it.

First the replica itself, read with httpx and raw sockets: REST binds verbatim, 204, a hanging
bind, the route at its storage path, and the stream's real framing (padded chunk sizes, the
mis-sized chunk that ends it, bare UUID lines, other binds, the snapshot on connect). Then the
app's adapter follows each shared recording through it, drops, previous stage's snapshot and
all, and must give the engine the same situations as the recording adapter does.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
from collections.abc import Callable
from functools import partial
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from feeds.format.racecenter import read_racecenter
from tests.support.replica import (
    CHUNK_SIZE_WIDTH,
    DAY_S,
    OTHERS_EVERY,
    UUID_EVERY,
    Replica,
    self_signed,
    without_distances,
)
from tests.support.stages import STAGE_5, STAGE_16, needs_stage_5, needs_stage_16

pytestmark = pytest.mark.slow

UUID_LINE = re.compile(
    rb"^data: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
SIZE_LINE = re.compile(rb"([0-9a-f]+) *\r\n")
READ_WITHIN_S = 20.0
"""A bound for a socket read in a failing test (a loaded machine is slow)."""


def raw_get(port: int, path: str, *, enough: Callable[[bytes], bool] | None = None) -> bytes:
    """The bytes of one request's answer on a fresh connection, up to the server's close (or
    until they are `enough`, for a stream the server holds open)."""
    with socket.create_connection(("127.0.0.1", port), timeout=READ_WITHIN_S) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = bytearray()
        while got := sock.recv(1 << 16):
            data += got
            if enough is not None and enough(bytes(data)):
                break
        return bytes(data)


def chunks(response: bytes) -> tuple[bytes, list[bytes], list[bytes], str | None]:
    """A chunked response read strictly: its head, the chunk-size lines, the chunks' data, and
    why the framing broke (None for a clean end)."""
    head, _, body = response.partition(b"\r\n\r\n")
    sizes: list[bytes] = []
    payloads: list[bytes] = []
    at = 0
    while True:
        found = SIZE_LINE.match(body, at)
        if found is None:
            return head, sizes, payloads, f"no chunk size at byte {at}"
        sizes.append(found.group(0))
        size = int(found.group(1), 16)
        at = found.end()
        if size == 0:
            return head, sizes, payloads, None
        if at + size + 2 > len(body):
            return head, sizes, payloads, "cut short"
        payloads.append(body[at : at + size])
        if body[at + size : at + size + 2] != b"\r\n":
            return head, sizes, payloads, "malformed chunk footer"
        at += size + 2


def data_lines(payloads: list[bytes]) -> list[bytes]:
    return [line for p in payloads for line in p.split(b"\n") if line.startswith(b"data: ")]


def updates(payloads: list[bytes]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for line in data_lines(payloads):
        if line.startswith(b"data: {"):
            found.append(json.loads(line.removeprefix(b"data: ")))
        else:
            assert UUID_LINE.match(line), line[:80]
    return found


def served_in(response: bytes) -> list[str]:
    """The telemetry data lines of a stream's whole chunks."""
    return telemetry(chunks(response)[2])


def more_lines_than(count: int, response: bytes) -> bool:
    return len(served_in(response)) > count


def stream_until_error(client: httpx.Client) -> tuple[bytes, httpx.HTTPError | None]:
    """The live stream's body as httpx gives it, and the error that ended it."""
    pieces: list[bytes] = []
    try:
        with client.stream("GET", "/live-stream") as stream:
            assert stream.headers["transfer-encoding"] == "chunked"
            pieces.extend(stream.iter_bytes())
    except httpx.HTTPError as error:
        return b"".join(pieces), error
    return b"".join(pieces), None


def telemetry(payloads: list[bytes]) -> list[str]:
    """The telemetry data lines, verbatim."""
    return [
        line.removeprefix(b"data: ").decode()
        for line in data_lines(payloads)
        if line.startswith(b'data: {"bind":"telemetryCompetitor')
    ]


# --- The replica itself ------------------------------------------------------------------------


@needs_stage_5
def test_rest_binds_are_the_recordings_records() -> None:
    rest = read_racecenter(STAGE_5).document["rest"]
    with Replica(STAGE_5) as replica, httpx.Client(base_url=replica.url) as client:
        assert client.get("/api/allCompetitors-2026").json() == rest["riders"]
        assert client.get("/api/team-2026").json() == rest["teams"]
        stages = client.get("/api/stage-2026").json()
        assert stages == list(rest["stages"].values())
        assert [s["stage"] for s in stages if s["date"].startswith("2026-07-08")] == [5]
        assert client.get("/api/checkpoint-2026-5").json() == rest["checkpoints"]
        answer = client.get("/api/team-2026")
        assert answer.headers["content-type"].startswith("application/json")
        assert replica.requests["/api/team-2026"] == 2
        assert replica.connections == 1  # Keep-alive: one connection for every request.


@needs_stage_5
def test_binds_not_published_answer_204_without_a_body() -> None:
    with (
        Replica(STAGE_5, removed={"team-2026"}) as replica,
        httpx.Client(base_url=replica.url) as client,
    ):
        for bind in ("team-2026", "pack-2026-5", "checkpoint-2026-6", "trace-2026-5"):
            answer = client.get(f"/api/{bind}")
            assert (answer.status_code, answer.content) == (204, b""), bind
            assert "content-length" not in answer.headers
        assert client.get("/api/allCompetitors-2026").status_code == 200
        raw = raw_get(replica.port, "/api/pack-2026-5", enough=lambda data: b"\r\n\r\n" in data)
        assert raw == b"HTTP/1.1 204 No Content\r\n\r\n"


@needs_stage_5
def test_a_hanging_bind_never_answers() -> None:
    with (
        Replica(STAGE_5, hanging={"checkpoint-2026-5"}) as replica,
        httpx.Client(base_url=replica.url, timeout=0.3) as client,
    ):
        with pytest.raises(httpx.ReadTimeout):
            client.get("/api/checkpoint-2026-5")
        assert replica.requests["/api/checkpoint-2026-5"] == 1
        assert client.get("/api/team-2026").status_code == 200


@needs_stage_5
def test_the_route_is_at_the_organisers_storage_path() -> None:
    trace = read_racecenter(STAGE_5).document["rest"]["trace"]
    with Replica(STAGE_5, asset_hash="0123abcd") as replica, httpx.Client() as client:
        url = replica.route_url.format(year=2026, stage=5)
        assert url == f"{replica.url}/tdf-prod-assets-0123abcd/tdf/2026/stage-5/trace.json"
        assert client.get(url).json() == trace
        assert client.get(replica.route_url.format(year=2026, stage=6)).status_code == 404
        other_hash = url.replace("0123abcd", "7d6b412378cb7194")
        assert client.get(other_hash).status_code == 404
        assert replica.requests[replica.route_path] == 1


@needs_stage_16
def test_without_a_trace_the_route_is_not_found() -> None:
    with Replica(STAGE_16) as replica, httpx.Client() as client:
        assert client.get(replica.route_url.format(year=2026, stage=16)).status_code == 404


@needs_stage_5
def test_the_stream_is_framed_as_the_real_one() -> None:
    with Replica(STAGE_5, drop_every=30) as replica:
        head, sizes, payloads, broken = chunks(raw_get(replica.port, "/live-stream"))
        assert replica.drops == 1
    assert b"Transfer-Encoding: chunked" in head
    assert b"Content-Type: text/event-stream" in head
    # Chunk sizes padded with spaces to the real server's width ("2c    \r\n").
    assert all(len(line) >= CHUNK_SIZE_WIDTH + 2 for line in sizes)
    assert any(b" \r\n" in line for line in sizes)
    # The stream ends with a chunk declared one byte longer than its data.
    assert broken == "malformed chunk footer"
    *whole, last = payloads
    assert last.startswith(b"data: ")
    assert last.endswith(b"\n\n\r")
    assert telemetry(whole) == replica.lines[:30]  # Verbatim, in order.
    found = updates(whole)
    assert len(found) == 30 + 30 // OTHERS_EVERY
    assert {u["bind"] for u in found} == {"telemetryCompetitor-2026", "rankingTypeArrival-2026-5"}
    uuids = [line for line in data_lines(whole) if UUID_LINE.match(line)]
    assert len(uuids) == 30 // UUID_EVERY


@needs_stage_5
def test_httpx_reads_the_drop_as_a_framing_error() -> None:
    with Replica(STAGE_5, drop_every=3) as replica, httpx.Client(base_url=replica.url) as client:
        body, error = stream_until_error(client)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert "malformed chunk footer" in str(error)
    assert body.count(b"event: update\n") == 3


@needs_stage_5
def test_a_connection_gets_the_snapshot_first() -> None:
    with Replica(STAGE_5, drop_every=10, previous_stage=True) as replica:
        first = telemetry(chunks(raw_get(replica.port, "/live-stream"))[2])
        second = telemetry(chunks(raw_get(replica.port, "/live-stream"))[2])
        assert (replica.streams, replica.drops, replica.snapshots) == (2, 2, 2)
        assert replica.lines_served == 20
    lines = replica.lines
    assert first == [replica.previous, *lines[:10]]
    assert second == [lines[9], *lines[10:20]]  # The last line served, then what comes next.
    previous = json.loads(first[0])["data"]
    last = json.loads(lines[-1])["data"]
    assert (previous["StageId"], previous["RaceStatus"]) == ("400", False)
    assert previous["TimeStamp"] == last["TimeStamp"] - DAY_S
    assert [r["Bib"] for r in previous["Riders"]] == [r["Bib"] for r in last["Riders"]]
    assert {(r["kmToFinish"], r["Status"]) for r in previous["Riders"]} == {(0, "finished")}


@needs_stage_16
def test_every_line_once_across_reconnections_plus_the_snapshots() -> None:
    """Stage 16 as recorded live: 3,064 lines, half of them repeats, served over drops."""
    with Replica(STAGE_16, drop_every=400) as replica:
        lines = replica.lines
        served: list[list[str]] = []
        while not replica.finished.is_set():
            # The last stream stays open: read it up to its snapshot and the lines left.
            left = len(lines) - replica.lines_served
            enough = None if left > 400 else partial(more_lines_than, left)
            served.append(served_in(raw_get(replica.port, "/live-stream", enough=enough)))
        assert replica.drops == len(lines) // 400
    assert served[0] == lines[:400]
    for before, after in pairwise(served):
        assert after[0] == before[-1]  # The snapshot: a repeat of the last line served.
    later = [line for connection in served[1:] for line in connection[1:]]
    assert [*served[0], *later] == lines
    assert len(set(lines)) < len(lines)  # The recording's own repeats are served as they came.


@needs_stage_5
def test_a_line_transform_changes_every_telemetry_line() -> None:
    with Replica(STAGE_5, drop_every=5, transform=without_distances) as replica:
        served = telemetry(chunks(raw_get(replica.port, "/live-stream"))[2])
    assert len(served) == 5
    riders = [r for line in served for r in json.loads(line)["data"]["Riders"]]
    assert riders
    assert not any("kmToFinish" in r or "secToFirstRider" in r for r in riders)
    assert all("Latitude" in r and "kph" in r for r in riders)


@needs_stage_16
def test_a_speed_paces_the_lines_by_their_recorded_delays() -> None:
    speed, count = 400.0, 40
    with Replica(STAGE_16, drop_every=count, speed=speed) as replica:
        started = time.monotonic()
        served = telemetry(chunks(raw_get(replica.port, "/live-stream"))[2])
        took = time.monotonic() - started
    delays = [e["dt"] / 1000 for e in read_racecenter(STAGE_16).document["events"][:count]]
    assert len(served) == count
    assert took >= sum(delays) / speed > 0.1


@needs_stage_5
def test_the_replica_speaks_https(tmp_path: Path) -> None:
    context, cert = self_signed(tmp_path)
    with Replica(STAGE_5, drop_every=2, tls=context) as replica:
        assert replica.url.startswith("https://127.0.0.1:")
        client_context = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=replica.url, verify=client_context) as client:
            assert client.get("/api/pack-2026-5").status_code == 204
            body, error = stream_until_error(client)
            assert replica.drops == 1
    assert isinstance(error, httpx.RemoteProtocolError)
    assert body.count(b'event: update\ndata: {"bind":"telemetryCompetitor') == 2
