"""Ardoise's events written in the Race Center format: what `ardoise serve --as racecenter`
sends when its feed is not itself a Race Center recording (the simulator, an Ardoise recording,
a live feed relayed).

The inverse of `feeds.racecenter.wire`, for the fields Ardoise reads: a stage, its teams and
riders, climbs and route become REST records; a frame becomes a `telemetryCompetitor-{year}`
update. The Race Center format has no place for rider roles, the stage's time-limit
coefficient or race news: those are not sent.
"""

from __future__ import annotations

import json
from typing import Any

from race.models import RiderFix, Stage, StageType, StartList, Telemetry

ROUTE_BIND = "trace-{year}-{stage}"
"""The bind under which the route is served and asked for (the Race Center's is not known)."""
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


def rest_records(start: StartList) -> dict[str, Any]:
    """The REST records of a stage, by bind name."""
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
        f"stage-{year}": [_stage_record(stage, number)],
        f"checkpoint-{year}-{number}": [_checkpoints(stage)],
    }
    trace = _trace(stage)
    if trace is not None:
        records[ROUTE_BIND.format(year=year, stage=number)] = trace
    return records


def update_line(frame: Telemetry, year: int) -> str:
    """A frame as the data line of an `event: update` of the live stream."""
    update = {
        "bind": f"telemetryCompetitor-{year}",
        "data": {"TimeStamp": frame.t, "Riders": [_rider(fix) for fix in frame.riders]},
    }
    return json.dumps(update, separators=(",", ":"), ensure_ascii=False)


def _team_id(code: str) -> str:
    return f"team-{code.lower()}"


def _stage_record(stage: Stage, number: int) -> dict[str, Any]:
    return {
        "stage": number,
        "type": STAGE_CODES[stage.type],
        "length": stage.distance_km,
        "timezone": stage.timezone,
        "departureCity": {"label": stage.start},
        "arrivalCity": {"label": stage.finish},
        "_bind": f"stage-{stage.year}",
    }


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
    ):
        if value is not None:
            rider[key] = value
    if fix.finished:
        rider["Status"] = "finished"
    if fix.jersey is not None:
        rider["Jersey"] = JERSEY_CODES[fix.jersey]
    return rider
