"""The wind (`race.wind`): the road's heading from the route (bearings checked on geometry
anyone can check), crosswind stretches ahead, the riders' sensors read into the wind now, and
the engine on the real recordings: the time trial's own wind, and the Pau stage with a strong
wind injected (a crosswind warning once per stretch)."""

from __future__ import annotations

import asyncio
import json
import math
import pickle
from pathlib import Path

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.racecenter.encoding import update_line
from feeds.racecenter.wire import parse_update
from race.engine import Race
from race.models import FeedEvent, ProfilePoint, RiderFix, Stage, StartList, Telemetry
from race.tracking.geometry import RouteLine
from race.wind.crosswind import STRONG_WIND_KMH, crosswinds, road_heading
from race.wind.view import WindNow, compass
from race.wind.watch import WindWatch
from tests.support.stages import STAGE_5, STAGE_16, engine_settings, needs_stage_5, needs_stage_16


def route(points: list[tuple[float, float]], lat0: float = 45.0) -> RouteLine:
    """A route through (north km, east km) offsets from (lat0, 0), its km measured along it."""
    kx = 111.195 * math.cos(math.radians(lat0))
    km, out = 0.0, []
    for i, (n, e) in enumerate(points):
        if i:
            pn, pe = points[i - 1]
            km += ((n - pn) ** 2 + (e - pe) ** 2) ** 0.5
        out.append(ProfilePoint(km=km, altitude_m=0, lat=lat0 + n / 111.195, lon=e / kx))
    return RouteLine(out, km)


def wind(from_deg: float | None, kmh: float) -> WindNow:
    return WindNow(from_deg=from_deg, speed_kmh=kmh, t=0.0, basis="sensors of 3 riders")


def test_the_roads_heading_is_a_compass_bearing() -> None:
    north = route([(0, 0), (10, 0)])
    east = route([(0, 0), (0, 10)])
    assert road_heading(north, 10, 5) == pytest.approx(0.0)
    assert road_heading(east, 10, 5) == pytest.approx(90.0)
    assert road_heading(north, 5, 10) == pytest.approx(180.0), "the other way: south"
    # At 60° N a degree of longitude is half a degree of latitude (cos 60° = 0.5): a step of
    # 0.5° north and 1° east heads north-east.
    diagonal = RouteLine(
        [
            ProfilePoint(km=0, altitude_m=0, lat=60.0, lon=10.0),
            ProfilePoint(km=78.6, altitude_m=0, lat=60.5, lon=11.0),
        ],
        78.6,
    )
    assert road_heading(diagonal, 70, 10) == pytest.approx(45.0, abs=0.5)
    assert compass(45.0) == "NE"
    assert compass(350.0) == "N"
    assert compass(-90.0) == "W"


def test_a_strong_wind_across_the_road_ahead_is_a_crosswind_stretch() -> None:
    # 40 km: 20 heading east, then 20 heading south. A north wind is across the first half.
    road = route([(0, 0), (0, 20), (-20, 20)])
    found = crosswinds(road, 40.0, wind(0.0, 35.0))
    assert len(found) == 1
    stretch = found[0]
    assert (stretch.from_km_to_go, stretch.to_km_to_go) == (40.0, 20.0)
    assert compass(stretch.road_deg) == "E"
    assert stretch.basis == (
        "wind N 35 km/h (sensors of 3 riders), road heading E from 40 to 20 km to go: echelon risk"
    )
    # From the south the same: a crosswind from either side.
    assert len(crosswinds(road, 40.0, wind(180.0, 35.0))) == 1
    # From the west: a headwind then a crosswind on the road south.
    west = crosswinds(road, 40.0, wind(270.0, 35.0))
    assert [(s.from_km_to_go, s.to_km_to_go) for s in west] == [(20.0, 0.0)]
    # Past the head: only the road ahead counts.
    assert crosswinds(road, 15.0, wind(0.0, 35.0)) == ()


def test_a_light_or_unknown_wind_warns_of_nothing() -> None:
    road = route([(0, 0), (0, 20)])
    assert crosswinds(road, 20.0, wind(0.0, STRONG_WIND_KMH - 1)) == ()
    assert crosswinds(road, 20.0, wind(None, 50.0)) == ()


def test_the_riders_sensors_make_the_wind_now_with_the_route_for_their_heading() -> None:
    stage = Stage(
        race="T",
        year=2026,
        distance_km=20.0,
        profile=tuple(
            ProfilePoint(km=float(k), altitude_m=0, lat=45.0, lon=k / (111.195 * 0.7071))
            for k in range(21)
        ),
    )
    watch = WindWatch()
    # Heading east (from the route); the wind 45° left of the heading: from the north-east.
    fixes = [
        RiderFix(bib=b, km_to_finish=10.0 + b * 0.01, wind_kmh=kmh, wind_angle_deg=-45.0)
        for b, kmh in ((1, 10.0), (2, 12.0), (3, 30.0))
    ]
    # A rider with the feed's heading (south): the same wind is 135° right of it.
    fixes.append(
        RiderFix(bib=4, km_to_finish=10.0, course_deg=180.0, wind_kmh=11.0, wind_angle_deg=-135.0)
    )
    far_behind = RiderFix(bib=5, km_to_finish=19.0, wind_kmh=90.0, wind_angle_deg=90.0)
    watch.offer(Telemetry(t=100.0, riders=(*fixes, far_behind)), stage)
    now = watch.now(100.0)
    assert now is not None
    assert now.compass == "NE"
    assert now.from_deg == pytest.approx(45.0, abs=0.5)
    assert now.speed_kmh == 11.5, "the median of the four near the front"
    assert now.riders == 4
    assert now.basis == "sensors of 4 riders at km 10"
    assert now.temperature_c is None, "no sensor said it: unknown, not 0"
    assert pickle.loads(pickle.dumps(watch)).now(100.0) == now, "checkpointed whole"
    watch.offer(Telemetry(t=200.0, riders=(RiderFix(bib=1, km_to_finish=9.0),)), stage)
    assert watch.now(200.0) == now, "a frame without wind keeps the last reading"
    assert watch.now(100.0 + 601.0) is None, "ten minutes on it is not the wind now"


def test_the_race_centers_rider_wind_is_read() -> None:
    rider = {"Bib": 66, "kmToFinish": 25.72, "kphWind": 11.6, "degC": 25.09}
    rider |= {"RiderWindDir": -88, "Course": 0}
    update = {"bind": "telemetryCompetitor-2026", "data": {"TimeStamp": 1, "Riders": [rider]}}
    frame = parse_update(json.dumps(update))
    assert frame is not None
    fix = frame.riders[0]
    assert (fix.wind_kmh, fix.temperature_c, fix.wind_angle_deg) == (11.6, 25.09, -88)
    assert fix.course_deg is None, "the feed's 0 is its 'not known'"
    relayed = parse_update(update_line(frame, 2026))  # `ardoise serve --as racecenter`
    assert relayed is not None
    assert relayed.riders[0].model_dump() == fix.model_dump()


def events_of(path: Path) -> list[FeedEvent]:
    async def read() -> list[FeedEvent]:
        feed = RecordingFeed(RecordingOptions(path=path, speed=0))
        return [event async for event in feed.events()]

    return asyncio.run(read())


@needs_stage_16
def test_the_time_trials_own_wind_agrees_with_the_organisers_checkpoint() -> None:
    """The first 400 events of the time trial: the riders' sensors give a light wind from the
    north-north-east, as the organiser's start checkpoint says ("NNE")."""
    race = Race(engine_settings())
    for event in events_of(STAGE_16)[:400]:
        situation = race.apply(event)
    assert situation.wind is not None
    assert situation.wind.compass in ("N", "NNE", "NE")
    assert situation.wind.speed_kmh is not None
    assert 5 < situation.wind.speed_kmh < 20
    assert situation.wind.temperature_c is not None
    assert 20 < situation.wind.temperature_c < 30
    assert situation.crosswinds == (), "a time trial: no echelons"


@needs_stage_5
def test_a_strong_north_wind_injected_into_pau_warns_once_per_stretch() -> None:
    """Stage 5 with a 40 km/h north wind injected into every rider's fix (the angle to his
    road's heading, as the Race Center sends it), from the start list to 100 frames of
    racing: the crosswinds ahead are where the route heads east or west, each said once."""
    events = events_of(STAGE_5)
    start = next(e for e in events if isinstance(e, StartList))
    line = RouteLine(start.stage.profile, start.stage.distance_km)
    telemetry = [e for e in events if isinstance(e, Telemetry)]

    def windy(frame: Telemetry) -> Telemetry:
        fixes = []
        for fix in frame.riders:
            km = fix.km_to_finish
            heading = road_heading(line, km + 0.1, km - 0.1) if km is not None else None
            angle = None if heading is None else ((0.0 - heading + 180) % 360) - 180
            fixes.append(fix.model_copy(update={"wind_kmh": 40.0, "wind_angle_deg": angle}))
        return frame.model_copy(update={"riders": tuple(fixes)})

    race = Race(engine_settings())
    race.apply(start)
    said: list[str] = []
    for frame in telemetry[300:400]:
        situation = race.apply(windy(frame))
        said += [a.text for a in situation.alerts[len(situation.alerts) - situation.new_alerts :]]
    assert situation.wind is not None
    assert situation.wind.compass == "N"
    assert situation.wind.speed_kmh == 40.0
    head = situation.head_km_to_finish
    assert head is not None
    assert situation.crosswinds, "Pau's road has stretches heading east or west"
    warned = [text for text in said if text.startswith("Crosswind ahead")]
    assert warned
    assert len(warned) == len(set(warned)), "each stretch said once"
    for stretch in situation.crosswinds:
        assert stretch.from_km_to_go <= head + 1
        road = road_heading(line, stretch.from_km_to_go, stretch.to_km_to_go)
        assert road is not None
        assert compass(road) in ("E", "ENE", "ESE", "W", "WNW", "WSW", "NE", "SE", "NW", "SW")
        assert "wind N 40 km/h" in stretch.basis
