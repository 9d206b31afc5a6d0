"""The Race Center's REST bootstrap: today's stage in the race's zone, the waiting states, 204,
the optional records' short wait, the teams, and the route from the organiser's trace file with
its cache. Against a real server on 127.0.0.1 (`tests.support.racecenter_site`)."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from feeds.racecenter.calendar import Waiting, todays_stage
from feeds.racecenter.route import TOUR_TRACE, RouteCache, route_profile, trace_url
from race.models import FeedEvent, FeedStatus, StartList
from race.tracking.geometry import RouteLine, haversine_km
from tests.support.racecenter_site import (
    TRACE_PATH,
    YEAR,
    RaceCenterSite,
    rider_records,
    serving,
    stage_records,
    team_records,
    trace,
)
from tests.support.stages import STAGE_5, needs_stage_5
from tests.support.waiting import until

PARIS = ZoneInfo("Europe/Paris")
FIRST = date(2026, 7, 4)
"""Stage 1's day; stage 2 the 5th, a rest day the 6th, stages 3 and 4 the 7th and 8th."""
FAST = {"backoff_initial_s": 0.05, "backoff_max_s": 0.2, "connect_timeout_s": 2.0}


def paris(text: str) -> float:
    """A wall-clock time in Paris, as UNIX seconds."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).timestamp()


def site_of_stage_2() -> RaceCenterSite:
    """Every record published, stage 2's trace file at its storage path."""
    return RaceCenterSite(
        records={
            f"stage-{YEAR}": stage_records(FIRST),
            f"allCompetitors-{YEAR}": rider_records(),
            f"checkpoint-{YEAR}-2": {"0": {"length": 152.0, "checkpointTypes": []}},
        },
        traces={TRACE_PATH.format(year=YEAR, stage=2): json.dumps(trace()).encode()},
    )


def feed(url: str, cache: Path, now: float | Callable[[], float], **changes: Any) -> RaceCenterFeed:
    options = RaceCenterOptions.model_validate(
        {
            "base_url": url,
            "route_url": url + TRACE_PATH,
            "cache_dir": cache,
            "optional_wait_s": 1.0,
            "poll_s": 0.2,
            **FAST,
            **changes,
        }
    )
    return RaceCenterFeed(options, now=now if callable(now) else lambda: now)


@asynccontextmanager
async def reading(adapter: RaceCenterFeed) -> AsyncIterator[list[FeedEvent]]:
    """The events `adapter` delivers, gathered while the block runs."""
    seen: list[FeedEvent] = []

    async def read() -> None:
        async for event in adapter.events():
            seen.append(event)

    task = asyncio.create_task(read())
    try:
        yield seen
    finally:
        task.cancel()
        await asyncio.wait([task])
        await adapter.aclose()


def start_lists(seen: list[FeedEvent]) -> list[StartList]:
    return [e for e in seen if isinstance(e, StartList)]


def states(seen: list[FeedEvent]) -> list[tuple[str, str]]:
    return [(e.state, e.detail) for e in seen if isinstance(e, FeedStatus)]


# --- Today's stage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-06-30T12:00", "Stage 1 on Sat 4 Jul, 13:05"),
        ("2026-07-03T23:59", "Stage 1 tomorrow, 13:05"),
        ("2026-07-04T00:00", 1),
        ("2026-07-05T22:00", 2),
        ("2026-07-06T12:00", "Rest day · Stage 3 tomorrow, 13:05"),
        ("2026-07-07T00:30", 3),
        ("2026-07-08T23:00", 4),
        ("2026-07-09T08:00", "The race is over: last stage on Wed 8 Jul"),
    ],
)
def test_todays_stage_by_the_races_calendar(instant: str, expected: str | int) -> None:
    found = todays_stage(stage_records(FIRST), paris(instant))
    if isinstance(expected, int):
        assert not isinstance(found, Waiting)
        assert found["stage"] == expected
    else:
        assert found == Waiting(expected)


def test_today_is_the_races_day_not_the_machines() -> None:
    """00:30 in Paris on stage 3's day is still the rest day in UTC (and in New York)."""
    instant = paris("2026-07-07T00:30")
    assert datetime.fromtimestamp(instant, ZoneInfo("UTC")).date() == date(2026, 7, 6)
    found = todays_stage(stage_records(FIRST), instant)
    assert not isinstance(found, Waiting)
    assert found["stage"] == 3
    by_date = {r["date"][:10]: r for r in stage_records(FIRST)}  # As recordings keep them.
    found = todays_stage(by_date, instant)
    assert not isinstance(found, Waiting)
    assert found["stage"] == 3


def test_no_stage_records_and_a_cancelled_stage() -> None:
    assert todays_stage([], paris("2026-07-04T12:00")) == Waiting("Stages not published yet")
    assert todays_stage(None, paris("2026-07-04T12:00")) == Waiting("Stages not published yet")
    records = stage_records(FIRST)
    records[2]["isCancelled"] = True
    assert todays_stage(records, paris("2026-07-07T12:00")) == Waiting(
        "Stage 3 cancelled · Stage 4 tomorrow, 13:05"
    )


# --- The route -------------------------------------------------------------------------------


def test_km_0_is_the_point_of_interest_002_even_between_two_route_points() -> None:
    """The trace's first straight runs 13 km with km 0 (#002) 2 km along it, far from both of
    its points: km 0 is still where #002 is, and the neutralised start is before it (the trace
    is longer than the official distance: measured back from the line, km 0 would be 0.5 km
    off)."""
    route = trace(distance=20.0, before_km0=2.0)
    profile, distance = route_profile(route)
    assert distance == 20.0
    assert profile[0].km == pytest.approx(-2.0 * 20.0 / 20.5, abs=0.01)  # Extrapolated.
    assert profile[-1].km == 20.0
    line = RouteLine(profile, 20.0)
    for poi in route["pointsOfInterest"]:
        place = line.point_at(20.0 - poi["distanceTraveled"])
        assert place is not None
        assert haversine_km(*place, poi["lat"], poi["lon"]) < 0.01


def test_a_route_that_passes_a_place_twice_is_anchored_on_the_right_pass() -> None:
    """Out 5 km and back: the point of interest at km 8 is where km 2 also is."""
    per_km = 1 / 111.195
    out_and_back = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    poi = [(0.0, 0.0), (5.0, 5.0), (2.0, 8.0)]
    route = {
        "totalDistance": 10.0,
        "routePoints": [{"lat": 45 + k * per_km, "lon": 5.0, "ele": 0} for k in out_and_back],
        "pointsOfInterest": [
            {"label": f"#{i}", "lat": 45 + k * per_km, "lon": 5.0, "distanceTraveled": km}
            for i, (k, km) in enumerate(poi)
        ],
    }
    profile, _ = route_profile(route)
    assert [round(p.km, 2) for p in profile] == [float(k) for k in range(11)]


@needs_stage_5
def test_the_real_traces_points_of_interest_are_where_it_says() -> None:
    """Stage 5 of 2026: km 0 lies on a 7.8 km straight, 1.2 km from any of the trace's points;
    every point of interest is placed within 10 m of its own position."""
    route = json.loads(gzip.decompress(STAGE_5.read_bytes()))["rest"]["trace"]
    profile, distance = route_profile(route)
    assert distance is not None
    assert distance == pytest.approx(158.22)
    assert profile[0].km == pytest.approx(-5.55)
    line = RouteLine(profile, distance)
    for poi in route["pointsOfInterest"][1:]:  # #001 is the trace's first point.
        place = line.point_at(distance - poi["distanceTraveled"])
        assert place is not None, poi["label"]
        assert haversine_km(*place, poi["lat"], poi["lon"]) < 0.01, poi["label"]


def test_where_the_trace_file_is() -> None:
    tour = trace_url("https://racecenter.letour.fr", None, 2026, 16)
    assert tour == TOUR_TRACE.format(year=2026, stage=16)
    assert tour.endswith("/tdf/2026/stage-16/trace.json")
    assert trace_url("https://racecenter.letourfemmes.fr", None, 2026, 1) is None
    assert trace_url("https://racecenter.lavuelta.es", None, 2026, 1) is None
    assert trace_url("https://racecenter.letour.fr", "", 2026, 1) is None
    assert trace_url("http://x", "http://y/{year}/{stage}.json", 2026, 3) == "http://y/2026/3.json"
    with pytest.raises(ValueError, match="year"):
        RaceCenterOptions(route_url="http://y/{season}/{stage}.json")


def test_the_route_cache(tmp_path: Path) -> None:
    cache = RouteCache(tmp_path, "https://racecenter.letour.fr")
    assert cache.load(2026, 5) is None
    body = json.dumps(trace()).encode()
    cache.save(2026, 5, body)
    assert cache.path(2026, 5).read_bytes() == body
    assert cache.load(2026, 5) == trace()
    assert cache.load(2025, 5) is None
    assert cache.load(2026, 6) is None
    assert [p.name for p in cache.path(2026, 5).parent.iterdir()] == ["stage-5.json"]
    other = RouteCache(tmp_path, "https://racecenter.lavuelta.es")
    assert other.load(2026, 5) is None, "another race's stage 5"
    for corrupt in (body[:100], b"", b'{"routePoints": []}', b"\xff\xfe"):
        cache.path(2026, 5).write_bytes(corrupt)
        assert cache.load(2026, 5) is None


# --- The adapter against a Race Center -------------------------------------------------------


async def test_the_route_from_the_trace_file_is_kept_for_a_restart(tmp_path: Path) -> None:
    site = site_of_stage_2()
    path = TRACE_PATH.format(year=YEAR, stage=2)
    with serving(site) as url:
        async with reading(feed(url, tmp_path, paris("2026-07-05T10:00"))) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
        first = start_lists(seen)[0]
        assert first.stage.number == 2
        assert len(first.stage.profile) == len(trace()["routePoints"])
        assert site.count(path) == 1
        site.traces = {}  # The storage purged: the restart must not need it.
        async with reading(feed(url, tmp_path, paris("2026-07-05T10:00"))) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
        assert start_lists(seen)[0].stage.profile == first.stage.profile
        assert site.count(path) == 1, "read from the cache"
        assert f"/api/trace-{YEAR}-2" not in site.asked


async def test_a_corrupt_cached_route_is_fetched_again(tmp_path: Path) -> None:
    site = site_of_stage_2()
    cached = RouteCache(tmp_path, "http://127.0.0.1")
    with serving(site) as url:
        cached = RouteCache(tmp_path, url)
        cached.path(YEAR, 2).parent.mkdir(parents=True)
        cached.path(YEAR, 2).write_bytes(b'{"routePoints": [{"lat": 45')
        async with reading(feed(url, tmp_path, paris("2026-07-05T10:00"))) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
    assert start_lists(seen)[0].stage.profile
    assert cached.load(YEAR, 2) == trace()


async def test_the_route_bind_when_the_trace_file_is_missing(tmp_path: Path) -> None:
    site = site_of_stage_2()
    site.traces = {}
    site.records[f"trace-{YEAR}-2"] = trace()
    with serving(site) as url:
        adapter = feed(url, tmp_path, paris("2026-07-05T10:00"))
        async with reading(adapter) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
            assert start_lists(seen)[0].stage.profile
            assert adapter.notes == []


async def test_without_a_route_the_stage_is_followed_and_the_route_asked_again(
    tmp_path: Path,
) -> None:
    """No trace file (404) and the bind not published (204): the start list comes without a
    profile and says why; the bind published later brings the same stage again, with it."""
    site = site_of_stage_2()
    site.traces = {}
    with serving(site) as url:
        adapter = feed(url, tmp_path, paris("2026-07-05T10:00"))
        async with reading(adapter) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
            assert not start_lists(seen)[0].stage.profile
            assert adapter.notes == [
                "no route profile (stage-2/trace.json: HTTP 404 Not Found; "
                f"trace-{YEAR}-2: not published yet)"
            ]
            await until(
                lambda: site.count(f"/api/trace-{YEAR}-2") >= 2, within=10, what="asked again"
            )
            site.records[f"trace-{YEAR}-2"] = trace()
            await until(lambda: len(start_lists(seen)) == 2, within=10, what="the route")
            assert adapter.notes == []
    first, second = start_lists(seen)
    assert second.stage.profile
    assert second.stage.distance_km == 20.0  # The route's length, over the arrival's.
    assert second.stage.model_copy(update={"profile": (), "distance_km": 152.0}) == first.stage
    assert (second.riders, second.teams) == (first.riders, first.teams)
    assert not [s for s in states(seen) if s[0] in ("reconnecting", "error")]


async def test_slow_optional_records_do_not_hold_the_first_screen(tmp_path: Path) -> None:
    """The checkpoints and the trace answer after 3 s: the start list comes after the
    optional wait (0.5 s) without them, and again, complete, when they come."""
    site = site_of_stage_2()
    site.hang_s = {f"checkpoint-{YEAR}-2": 3.0, TRACE_PATH.format(year=YEAR, stage=2): 3.0}
    with serving(site) as url:
        adapter = feed(url, tmp_path, paris("2026-07-05T10:00"), optional_wait_s=0.5)
        began = time.monotonic()
        async with reading(adapter) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
            first_after = time.monotonic() - began
            await until(lambda: len(start_lists(seen)) == 3, within=10, what="both late parts")
    assert first_after < 2.5, "the first screen waited for a slow record"
    first, *_, last = start_lists(seen)
    assert (first.stage.profile, first.stage.distance_km) == ((), 152.0)  # The stage's length.
    assert last.stage.profile
    assert last.stage.distance_km == 20.0
    assert (last.stage.name, last.stage.scheduled_start) == (
        first.stage.name,
        first.stage.scheduled_start,
    )


async def test_stages_not_published_is_a_quiet_wait(tmp_path: Path) -> None:
    """stage-{year} answers 204: one `waiting` status, asked again every `poll_s` without a
    word, and the stage followed once published."""
    site = site_of_stage_2()
    stages = site.records.pop(f"stage-{YEAR}")
    with serving(site) as url:
        async with reading(feed(url, tmp_path, paris("2026-07-05T10:00"))) as seen:
            await until(lambda: site.count(f"/api/stage-{YEAR}") >= 4, within=10, what="polled")
            assert states(seen) == [
                ("connecting", f"connecting to {url}"),
                ("waiting", "Stages not published yet"),
            ]
            site.records[f"stage-{YEAR}"] = stages
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
            await until(lambda: states(seen)[-1][0] == "live", within=10, what="the stream")


async def test_a_rest_day_waits_for_the_next_stage_in_the_races_zone(tmp_path: Path) -> None:
    """On the rest day the riders are not even asked for; at midnight in Paris (22:00 UTC),
    stage 3 is followed. No year configured: the clock's."""
    site = site_of_stage_2()
    clock = [paris("2026-07-06T12:00")]
    with serving(site) as url:
        adapter = feed(url, tmp_path, lambda: clock[0], year=None)
        async with reading(adapter) as seen:
            await until(lambda: len(states(seen)) >= 2, within=10, what="a status")
            assert states(seen)[1] == ("waiting", "Rest day · Stage 3 tomorrow, 13:05")
            assert f"/api/allCompetitors-{YEAR}" not in site.asked
            clock[0] = paris("2026-07-07T00:00")
            await until(lambda: bool(start_lists(seen)), within=10, what="stage 3")
    assert start_lists(seen)[0].stage.number == 3


async def test_the_teams_come_from_allcompetitors(tmp_path: Path) -> None:
    site = site_of_stage_2()
    with serving(site) as url:
        async with reading(feed(url, tmp_path, paris("2026-07-05T10:00"))) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
    start = start_lists(seen)[0]
    assert {t.code for t in start.teams} == {"AAA", "BBB"}
    assert {r.bib: r.team for r in start.riders} == {1: "BBB", 2: "AAA", 11: "BBB", 12: "AAA"}
    assert f"/api/team-{YEAR}" not in site.asked


async def test_else_from_the_team_bind_and_without_it_the_riders_still_come(
    tmp_path: Path,
) -> None:
    site = site_of_stage_2()
    site.records[f"allCompetitors-{YEAR}"] = rider_records(with_teams=False)
    site.records[f"team-{YEAR}"] = team_records()
    with serving(site) as url:
        async with reading(feed(url, tmp_path, paris("2026-07-05T10:00"))) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
        assert {t.code for t in start_lists(seen)[0].teams} == {"AAA", "BBB"}
        del site.records[f"team-{YEAR}"]
        adapter = feed(url, tmp_path, paris("2026-07-05T10:00"))
        async with reading(adapter) as seen:
            await until(lambda: bool(start_lists(seen)), within=10, what="the start list")
            assert f"no teams (team-{YEAR}: not published yet)" in adapter.notes
    start = start_lists(seen)[0]
    assert start.teams == ()
    assert len(start.riders) == 4
