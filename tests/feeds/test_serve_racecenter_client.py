"""`ardoise serve --as racecenter` read by a client written against the real Race Center
(`tests.support.rc_client`): over https, REST records then the live stream, the connection cut
mid-stream by the network (a relay between them drops it), the client reconnecting as a
browser's `EventSource` does. What it records is what the source sent, once, in order, and
Ardoise replays it."""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.format.racecenter import read_racecenter
from race.models import FeedEvent, FeedStatus, StartList, Telemetry
from tests.e2e.test_live_e2e import ardoise_serve, write_config
from tests.support.rc_client import RaceCenterClient, self_signed, trusting, write_recording
from tests.support.stages import STAGE_5, needs_stage_5

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl to make a certificate"),
]

SPEED = 1000.0
"""A frame every 6 ms, a live pace for a client (the fastest a replay goes)."""
SERVED_SHARE = 3
"""The Pau stage's first third of its lines is served (its 3.5 hours would take 13 s at
`SPEED`): a stream as any other, cut in its middle all the same."""


def first_part_of_stage_5(path: Path) -> Path:
    """A copy of the Pau recording with only its first `1 / SERVED_SHARE` of live lines."""
    with gzip.open(STAGE_5, "rt", encoding="utf-8") as stream:
        document: dict[str, Any] = json.load(stream)
    document["events"] = document["events"][: len(document["events"]) // SERVED_SHARE]
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        json.dump(document, stream)
    return path


class CuttableRelay:
    """A TCP relay to a local port; `cut()` drops every connection through it at once (reset
    both ways, mid-stream), as a network does; new connections go through."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.cuts = 0
        self._open: set[asyncio.StreamWriter] = set()
        self._relays: set[asyncio.Task[None]] = set()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self._open |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._open -= {writer, up_writer}
            self._relays.discard(task)

    def cut(self) -> None:
        self.cuts += 1
        self._abort()

    def _abort(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[CuttableRelay]:
        server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            server.close()
            self._abort()
            await asyncio.gather(*self._relays, return_exceptions=True)
            await server.wait_closed()


async def _pipe(source: asyncio.StreamReader, to: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65_536):
            to.write(data)
            await to.drain()
    except OSError:  # The other side was cut.
        pass
    finally:
        to.close()


def timestamps(events: list[dict[str, Any]]) -> list[float]:
    return [json.loads(e["data"])["data"]["TimeStamp"] for e in events]


async def replay(path: Path) -> list[FeedEvent]:
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))
    async with asyncio.timeout(60):
        return [event async for event in feed.events()]


@needs_stage_5
async def test_a_real_style_client_records_the_served_stage_whole_across_a_cut(
    tmp_path: Path,
) -> None:
    served = first_part_of_stage_5(tmp_path / "pau-first-hour.json.gz")
    source = [e["data"] for e in read_racecenter(served).events]
    cut_at = len(source) // 2
    cert, key = self_signed(tmp_path)
    config = write_config(
        tmp_path, f'[feed]\nadapter = "recording"\npath = "{served}"\nspeed = {SPEED}\n'
    )
    tls = ("--tls-cert", str(cert), "--tls-key", str(key))
    with ardoise_serve(config, "--as", "racecenter", *tls, "--wait-for-client") as url:
        assert url.startswith("https://")
        async with CuttableRelay(int(url.rsplit(":", 1)[1])).running() as relay:
            client = RaceCenterClient(
                f"https://127.0.0.1:{relay.port}", year=2026, stage=5, verify=trusting(cert)
            )

            def done(events: list[dict[str, Any]]) -> bool:
                if len(events) == cut_at:
                    relay.cut()
                return len(events) >= len(source)

            recording = await client.record(done)
    events = recording["events"]
    assert relay.cuts == 1
    assert client.connections == 2, client.drops
    assert client.drops[0].startswith(("ReadError", "RemoteProtocolError")), client.drops
    assert client.sent_last_ids[0] is None
    assert client.sent_last_ids[1] is not None, "ids were given: the client resumes after one"
    assert [e["data"] for e in events] == source, "every line once, in order, across the cut"
    times = timestamps(events)
    assert all(a <= b for a, b in pairwise(times)), "time never goes back"
    assert recording["meta"]["date"] == "2026-07-08"
    stage = recording["rest"]["stages"]["2026-07-08"]
    assert (stage["stage"], stage["startTime"]) == (5, "14:15:00")
    assert stage["timezone"] == "Europe/Paris"
    assert recording["rest"]["trace"]["routePoints"], "the route, from the trace path"
    replayed = await replay(write_recording(tmp_path / "pau.json", recording))
    start = next(e for e in replayed if isinstance(e, StartList))
    assert start.stage.number == 5
    assert len([e for e in replayed if isinstance(e, Telemetry)]) == len(source)


async def test_a_recording_of_the_served_simulator_replays_in_ardoise(tmp_path: Path) -> None:
    frames = 120
    cert, key = self_signed(tmp_path)
    config = write_config(tmp_path, '[feed]\nadapter = "simulated"\nspeed = 0\n')
    tls = ("--tls-cert", str(cert), "--tls-key", str(key))
    with ardoise_serve(config, "--as", "racecenter", *tls, "--wait-for-client") as url:
        client = RaceCenterClient(url, year=2026, stage=4, verify=trusting(cert))
        recording = await client.record(lambda events: len(events) >= frames)
    first_t = json.loads(recording["events"][0]["data"])["data"]["TimeStamp"]
    day = recording["meta"]["date"]
    stage = recording["rest"]["stages"][day]
    assert stage["date"] == f"{day}T00:00:00+02:00"
    assert stage["timezone"] == "Europe/Paris"
    replayed = await replay(write_recording(tmp_path / "simulated.json", recording))
    start = next(e for e in replayed if isinstance(e, StartList))
    assert (start.stage.number, start.stage.timezone) == (4, "Europe/Paris")
    assert start.stage.scheduled_start == first_t, "dated by its first frame, to the second"
    assert start.stage.profile, "the route came too"
    assert start.stage.climbs, "the climbs came too"
    assert len([e for e in replayed if isinstance(e, Telemetry)]) == frames
    statuses = [e for e in replayed if isinstance(e, FeedStatus)]
    assert statuses[-1].state == "ended"
    assert not [s for s in statuses if s.state == "error" or s.rejected], statuses
