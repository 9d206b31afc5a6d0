"""Ardoise's events written in the Race Center format: what `ardoise serve --as racecenter`
sends when its feed is not itself a Race Center recording (the simulator, an Ardoise recording,
a live feed relayed).

The inverse of `feeds.racecenter.wire`, for the fields Ardoise reads: a stage, its teams and
riders, climbs and route become REST records; a frame becomes a `telemetryCompetitor-{year}`
update. The Race Center format has no place for rider roles, the stage's time-limit
coefficient or race news: those are not sent.

The `stage-{year}` record is dated as the Race Center dates it (`date` at midnight in the
stage's zone, `startTime`, `timezone`): from the stage's scheduled start, or, for a feed that
has none (the simulator, a recording made without one), from its first frame: the start the
feed shows. A feed that begins mid-stage is then dated by that frame: the record's start is
late, and says no more than the feed does.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from race.models import RiderFix, Stage, StageType, StartList, Telemetry

ROUTE_BIND = "trace-{year}-{stage}"
"""A REST bind under which `ardoise serve` also serves the route (the Race Center has none)."""
TRACE_PATH = "/tdf/{year}/stage-{stage}/trace.json"
"""Where the organiser's asset storage keeps a stage's route (the same JSON as `ROUTE_BIND`)."""
STAGE_CODES: dict[StageType, str] = {
    "flat": "PLN",
    "hilly": "VAL",
    "mountain": "HMG",
    "itt": "CLM",
    "ttt": "CLE",
}
JERSEY_CODES = {"yellow": "Y", "green": "G", "polka-dot": "P", "white": "W"}
ANCHOR_EVERY_KM = 5.0
"""A point of interest (a distance anchor of the route) at least this often along the route."""


def telemetry_bind(year: int) -> str:
    """The bind of the live telemetry updates."""
    return f"telemetryCompetitor-{year}"


def rest_records(start: StartList, first_t: float | None = None) -> dict[str, Any]:
    """The REST records of a stage, by bind name.

    Args:
        start: the stage, its teams and riders.
        first_t: the time of the feed's first frame (UNIX s), which dates the stage when it
            has no scheduled start; with neither, the stage record has no date.
    """
    stage = start.stage
    year = stage.year
    number = stage.number if stage.number is not None else 0
    teams = [
        {
            "_id": _team_id(team.code),
            "code": team.code,
            "name": team.name,
            "nameShort": team.name,
            "_bind": f"team-{year}",
        }
        for team in start.teams
    ]
    riders = [
        {
            "bib": rider.bib,
            "firstname": rider.first_name,
            "lastname": rider.last_name,
            "nationality": rider.nationality,
            "$team": f"team-{year}:{_team_id(rider.team)}",
            "_bind": f"allCompetitors-{year}",
        }
        for rider in start.riders
    ]
    records: dict[str, Any] = {
        f"allCompetitors-{year}": riders,
        f"team-{year}": teams,
        f"stage-{year}": [_stage_record(stage, number, first_t)],
        f"checkpoint-{year}-{number}": [_checkpoints(stage)],
    }
    trace = _trace(stage)
    if trace is not None:
        records[ROUTE_BIND.format(year=year, stage=number)] = trace
    return records


def update_line(frame: Telemetry, year: int) -> str:
    """A frame as the data line of an `event: update` of the live stream."""
    update = {
        "bind": telemetry_bind(year),
        "data": {"TimeStamp": frame.t, "Riders": [_rider(fix) for fix in frame.riders]},
    }
    return json.dumps(update, separators=(",", ":"), ensure_ascii=False)


def _team_id(code: str) -> str:
    return f"team-{code.lower()}"


def _stage_record(stage: Stage, number: int, first_t: float | None) -> dict[str, Any]:
    record: dict[str, Any] = {"stage": number}
    try:
        zone = ZoneInfo(stage.timezone)
    except (ZoneInfoNotFoundError, ValueError):  # Not a zone: the reader takes UTC too.
        zone = ZoneInfo("UTC")
    start_t = stage.scheduled_start if stage.scheduled_start is not None else first_t
    local = _local_time(start_t, zone) if start_t is not None else None
    if local is not None:
        midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
        record["date"] = midnight.isoformat(timespec="seconds")
        record["startTime"] = local.strftime("%H:%M:%S")
    record.update(
        {
            "timezone": zone.key,
            "type": STAGE_CODES[stage.type],
            "length": stage.distance_km,
            "departureCity": {"label": stage.start},
            "arrivalCity": {"label": stage.finish},
            "isCancelled": False,
            "_bind": f"stage-{stage.year}",
        }
    )
    return record


def _local_time(t: float, zone: ZoneInfo) -> datetime | None:
    """`t` (UNIX s) in `zone`; None for a time no calendar holds (NaN, 1e300)."""
    try:
        return datetime.fromtimestamp(t, zone)
    except (OverflowError, ValueError, OSError):
        return None


def _checkpoints(stage: Stage) -> dict[str, Any]:
    points: list[dict[str, Any]] = [
        {"length": 0.0, "place": stage.start, "checkpointTypes": [{"type": "departure"}]}
    ]
    for climb in stage.climbs:
        summit: dict[str, Any] = {"summit": {"name": climb.name}}
        if climb.category is not None:
            summit["code"] = climb.category
        if climb.length_km is not None:
            summit["length"] = round(climb.length_km * 1000)
        if climb.gradient_pct is not None:
            summit["state"] = climb.gradient_pct
        points.append(
            {
                "length": climb.summit_km,
                "place": climb.name,
                "checkpointTypes": [{"type": "summit"}],
                "checkpointSummits": [summit],
            }
        )
    points.extend(
        {"length": sprint.km, "place": sprint.name, "checkpointTypes": [{"type": "sprint"}]}
        for sprint in stage.sprints
    )
    points.append(
        {
            "length": stage.distance_km,
            "place": stage.finish,
            "checkpointTypes": [{"type": "arrival"}],
        }
    )
    return {str(i): point for i, point in enumerate(points)}


def _trace(stage: Stage) -> dict[str, Any] | None:
    located = [p for p in stage.profile if p.lat is not None and p.lon is not None]
    if len(located) < 2:
        return None
    anchors: list[dict[str, Any]] = []
    next_km = located[0].km
    for index, point in enumerate(located):
        if point.km >= next_km or index == len(located) - 1:
            anchors.append(
                {
                    "label": f"#{len(anchors) + 1:03d}",
                    "lat": point.lat,
                    "lon": point.lon,
                    "alt": point.altitude_m,
                    "distanceTraveled": point.km,
                    "distanceRemaining": round(stage.distance_km - point.km, 3),
                }
            )
            next_km = point.km + ANCHOR_EVERY_KM
    return {
        "name": f"{stage.start} > {stage.finish}",
        "totalDistance": stage.distance_km,
        "routePoints": [{"lat": p.lat, "lon": p.lon, "ele": p.altitude_m} for p in located],
        "pointsOfInterest": anchors,
    }


def _rider(fix: RiderFix) -> dict[str, Any]:
    rider: dict[str, Any] = {"Bib": fix.bib}
    for key, value in (
        ("kmToFinish", fix.km_to_finish),
        ("Latitude", fix.lat),
        ("Longitude", fix.lon),
        ("kph", fix.speed_kmh),
        ("secToFirstRider", fix.feed_gap_s),
        ("mAlt", fix.altitude_m),
        ("Gradient", fix.gradient_pct),
        ("degC", fix.temperature_c),
        ("kphWind", fix.wind_kmh),
        ("RiderWindDir", fix.wind_angle_deg),
        ("Course", fix.course_deg),
    ):
        if value is not None:
            rider[key] = value
    if fix.finished:
        rider["Status"] = "finished"
    if fix.jersey is not None:
        rider["Jersey"] = JERSEY_CODES[fix.jersey]
    return rider
