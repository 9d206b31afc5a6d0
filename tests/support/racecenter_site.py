"""A small Race Center on 127.0.0.1 for the bootstrap's tests: REST binds as the real one
answers them (204 for a bind not published, binds that hang), the organiser's trace files at
their storage path, and a live stream that stays open, sending only keep-alives."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from feeds.tools.server import listen, server

YEAR = 2026
TRACE_PATH = "/assets/tdf/{year}/stage-{stage}/trace.json"
"""Where the site serves trace files, as the organiser's storage does (`route_url` pattern)."""
TEAMS = (("AAA", "TEAM ALPHA"), ("BBB", "TEAM BRAVO"))


def team_records() -> list[dict[str, Any]]:
    """`team-{year}` records, as they also come mixed into `allCompetitors-{year}`."""
    return [
        {"_id": f"id-{code}", "code": code, "name": name, "_bind": f"team-{YEAR}"}
        for code, name in TEAMS
    ]


def rider_records(with_teams: bool = True) -> list[dict[str, Any]]:
    """`allCompetitors-{year}`: four riders, and the team records mixed in (as the real ones)."""
    riders = [
        {
            "bib": bib,
            "firstname": f"Rider{bib}",
            "lastname": f"LAST{bib}",
            "nationality": "fra",
            "$team": f"team-{YEAR}:id-{TEAMS[bib % 2][0]}",
            "_bind": f"allCompetitors-{YEAR}",
        }
        for bib in (1, 2, 11, 12)
    ]
    return riders + team_records() if with_teams else riders


def stage_records(first: date, numbers: int = 4, rest_after: int = 2) -> list[dict[str, Any]]:
    """`stage-{year}`: a stage a day from `first` at 13:05 Paris time, with a rest day after
    stage `rest_after`."""
    records = []
    day = first
    for number in range(1, numbers + 1):
        records.append(
            {
                "stage": number,
                "date": f"{day.isoformat()}T00:00:00+02:00",
                "startTime": "13:05:00",
                "timezone": "Europe/Paris",
                "type": "PLN",
                "length": 150.0 + number,
                "departureCity": {"label": f"Start{number}"},
                "arrivalCity": {"label": f"Finish{number}"},
                "isCancelled": False,
            }
        )
        day += timedelta(days=2 if number == rest_after else 1)
    return records


def trace(distance: float = 20.0, before_km0: float = 2.0) -> dict[str, Any]:
    """A trace file: a road due north from a neutralised start `before_km0` km before km 0.
    As real traces, it is a little longer than the official distance (here 0.5 km more after
    km 0), its first straight is long (km 0 lies on it, far from both its points), and only
    km 0 and the line are points of interest."""
    lat0, lon = 45.0, 5.0
    per_km = 1 / 111.195
    total = before_km0 + distance + 0.5
    kms = [0.0, total * 0.6, *(total * 0.6 + i for i in range(1, int(total * 0.4))), total]
    return {
        "name": "test stage",
        "totalDistance": distance,
        "routePoints": [{"lat": lat0 + km * per_km, "lon": lon, "ele": 100.0 + km} for km in kms],
        "pointsOfInterest": [
            {"label": "#002", "lat": lat0 + before_km0 * per_km, "lon": lon, "distanceTraveled": 0},
            {
                "label": "#016",
                "lat": lat0 + total * per_km,
                "lon": lon,
                "distanceTraveled": distance,
            },
        ],
    }


@dataclass
class RaceCenterSite:
    """What the site serves; the test changes it while a client reads (one attribute at a time:
    the server's thread reads whole values)."""

    records: dict[str, Any] = field(default_factory=dict)
    """REST records by bind. A bind not here answers 204, as the real Race Center does."""
    hang_s: dict[str, float] = field(default_factory=dict)
    """Binds (or trace paths) that answer only after this many seconds."""
    traces: dict[str, bytes] = field(default_factory=dict)
    """Trace files by path (`TRACE_PATH` filled in); others are 404."""
    asked: list[str] = field(default_factory=list)
    """Every path asked for, in order."""

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/{bind}", self._bind),
                Route("/live-stream", self._stream),
                Route("/assets/{path:path}", self._trace),
            ]
        )

    def count(self, path: str) -> int:
        return self.asked.count(path)

    async def _bind(self, request: Request) -> Response:
        bind = request.path_params["bind"]
        self.asked.append(request.url.path)
        await asyncio.sleep(self.hang_s.get(bind, 0.0))
        if bind not in self.records:
            return Response(status_code=204)
        return Response(json.dumps(self.records[bind]), media_type="application/json")

    async def _trace(self, request: Request) -> Response:
        path = request.url.path
        self.asked.append(path)
        await asyncio.sleep(self.hang_s.get(path, 0.0))
        if path not in self.traces:
            return Response("<Error>NoSuchKey</Error>", status_code=404)
        return Response(self.traces[path], media_type="application/json")

    async def _stream(self, request: Request) -> Response:
        self.asked.append(request.url.path)

        async def keep_alives() -> AsyncIterator[bytes]:
            while True:
                yield b":\n\n"
                await asyncio.sleep(0.2)

        return StreamingResponse(keep_alives(), media_type="text/event-stream")


@contextmanager
def serving(site: RaceCenterSite) -> Iterator[str]:
    """`site` on 127.0.0.1 (the server `ardoise serve` runs), in a thread; yields its URL."""
    sock = listen("127.0.0.1", 0)
    served = server(site.app(), log_level="critical")
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
        served.force_exit = True  # The live stream never ends by itself.
        thread.join(timeout=10)
