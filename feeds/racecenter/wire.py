"""The A.S.O. Race Center format: REST records and live-stream updates, into Ardoise's events.

The same format arrives live (`feeds.racecenter.adapter`) and in recordings
(`feeds.adapters.recording`):

- REST binds: `allCompetitors-{year}` (riders), `team-{year}`, `stage-{year}` (one record per
  stage), `checkpoint-{year}-{stage}` (one object keyed "0".."N"), and the route trace.
- The live stream sends `event: update` with data `{"bind": ..., "data": ...}`; rider positions
  come in `telemetryCompetitor-{year}` updates (`TimeStamp`, `Riders`).

Frames are validated straight from the JSON text by pydantic (the fastest path, ~0.2 ms for 180
riders): the models below are Ardoise's own with the provider's field names as aliases. Every
string of the records is cleaned (`feeds.text`) in `start_list`, and every reason a record or an
update is refused with, in `FormatError`: names and labels may carry escape sequences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from math import isfinite
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from feeds.racecenter.route import route_profile
from feeds.text import clean_model, clean_text
from race.models import (
    Bib,
    Climb,
    Jersey,
    Rider,
    RiderFix,
    Sprint,
    Stage,
    StageType,
    StartList,
    Team,
    Telemetry,
)

STAGE_TYPES: dict[str, StageType] = {
    "PLN": "flat",
    "VAL": "hilly",
    "MMG": "hilly",
    "HMG": "mountain",
    "CLM": "itt",
    "CRI": "itt",
    "PAS": "itt",
    "EQU": "ttt",
    "CLE": "ttt",
}
"""Race Center stage types: plaine, vallonné, moyenne / haute montagne, time trials."""

JERSEYS: dict[str, Jersey] = {"Y": "yellow", "G": "green", "P": "polka-dot", "W": "white"}
TELEMETRY_BIND = "telemetryCompetitor"


class FormatError(ValueError):
    """A record or an update that cannot be read. The reason is cleaned: it may quote the feed."""

    def __init__(self, reason: str) -> None:
        super().__init__(clean_text(reason))


def _jersey(value: object) -> Jersey | None:
    return JERSEYS.get(value) if isinstance(value, str) else None


def _positive(value: object) -> object:
    """The feed sends 0 for "not yet known" (an average speed before the first kilometre)."""
    return None if value == 0 else value


def _finished(value: object) -> bool:
    return isinstance(value, str) and value.lower() == "finished"


class _Fix(RiderFix):
    """A rider in a telemetry update (`Riders[]`), read under the Race Center's names."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    bib: Bib = Field(validation_alias="Bib")
    km_to_finish: float | None = Field(default=None, validation_alias="kmToFinish")
    lat: float | None = Field(default=None, validation_alias="Latitude")
    lon: float | None = Field(default=None, validation_alias="Longitude")
    speed_kmh: float | None = Field(default=None, validation_alias="kph")
    feed_gap_s: float | None = Field(default=None, validation_alias="secToFirstRider")
    altitude_m: float | None = Field(default=None, validation_alias="mAlt")
    gradient_pct: float | None = Field(default=None, validation_alias="Gradient")
    finished: Annotated[bool, BeforeValidator(_finished)] = Field(
        default=False, validation_alias="Status"
    )
    jersey: Annotated[Jersey | None, BeforeValidator(_jersey)] = Field(
        default=None, validation_alias="Jersey"
    )
    avg_speed_kmh: Annotated[float | None, BeforeValidator(_positive)] = Field(
        default=None, validation_alias="kphAvg"
    )
    temperature_c: float | None = Field(default=None, validation_alias="degC")
    wind_kmh: float | None = Field(default=None, validation_alias="kphWind")
    wind_angle_deg: float | None = Field(default=None, validation_alias="RiderWindDir")
    course_deg: Annotated[float | None, BeforeValidator(_positive)] = Field(
        default=None, validation_alias="Course"
    )


class _Frame(Telemetry):
    """A telemetry update's data. `stage_id` and `racing` say whose frame it is (see
    `feeds.racecenter.stages`); they are the provider's, not Ardoise's, so never written out."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    t: float = Field(validation_alias="TimeStamp")
    riders: tuple[_Fix, ...] = Field(validation_alias="Riders")
    stage_id: str | int | None = Field(default=None, validation_alias="StageId", exclude=True)
    """The stage x 100 ("1600" = stage 16), when the feed sends it."""
    racing: bool | None = Field(default=None, validation_alias="RaceStatus", exclude=True)
    """False once the race is over (or not begun), when the feed sends it."""


class _Update(BaseModel):
    """One `event: update` of the live stream. `data` is a frame when it parses as one.

    A number sent as a string (`"kmToFinish": "12.5"`) is accepted, as pydantic's lax mode
    reads it: the text says the number without ambiguity, and refusing it would drop a whole
    frame (every rider) for the way one provider writes numbers; a string that is not a number
    still fails, naming the field, and impossible values are the engine's to drop
    (`race.tracking`). So the union is tried left to right: in pydantic's default "smart" mode,
    `Any` matches strictly first and a frame with a numeric string was never a frame.
    """

    model_config = ConfigDict(extra="ignore")

    bind: str
    data: _Frame | Any = Field(default=None, union_mode="left_to_right")


def parse_update(text: str | bytes) -> Telemetry | None:
    """A live-stream update: its telemetry frame, or None for a bind Ardoise does not use.

    Raises `FormatError` for text that is not an update, or a telemetry update that does not
    hold a valid frame (the reason names the field).
    """
    frame = read_update(text)
    return frame if isinstance(frame, Telemetry) else None


def read_update(text: str | bytes) -> Telemetry | tuple[str, Any]:
    """A live-stream update: its telemetry frame, or the bind and data of another bind.

    Raises `FormatError` as `parse_update` does.
    """
    try:
        update = _Update.model_validate_json(text)
    except ValidationError as error:
        raise FormatError(_reason(error)) from None
    if not update.bind.startswith(TELEMETRY_BIND):
        return update.bind, update.data
    if isinstance(update.data, _Frame):
        return update.data
    try:  # Not a frame: validate again only to say why.
        return _Frame.model_validate(update.data)
    except ValidationError as error:
        raise FormatError(_reason(error)) from None


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "update"
    return f"{where}: {first['msg']}"


# --- REST records --------------------------------------------------------------------------


def teams_from_records(records: Iterable[Mapping[str, Any]]) -> dict[str, Team]:
    """Teams by their record id (`_id`), from `team-{year}` records."""
    out: dict[str, Team] = {}
    for record in records:
        code, name, key = record.get("code"), record.get("name"), record.get("_id")
        if isinstance(code, str) and isinstance(key, str):
            out[key] = Team(code=code, name=str(name or code))
    return out


def riders_from_records(
    records: Iterable[Mapping[str, Any]], teams_by_id: Mapping[str, Team]
) -> list[Rider]:
    """Riders from `allCompetitors-{year}` records (other records in the list are skipped)."""
    riders: list[Rider] = []
    for record in records:
        bib = record.get("bib")
        if not isinstance(bib, int):
            continue
        team_ref = record.get("$team") or record.get("_parent") or ""
        team = teams_by_id.get(str(team_ref).rpartition(":")[2])
        riders.append(
            Rider(
                bib=bib,
                first_name=str(record.get("firstname") or ""),
                last_name=str(record.get("lastname") or f"#{bib}"),
                team=team.code if team else "",
                nationality=record.get("nationality") or None,
            )
        )
    return riders


def stage_record(records: Any, stage: int | None = None, date: str | None = None) -> dict[str, Any]:
    """The `stage-{year}` record of a stage, by number or by date, from a list or a mapping."""
    values: list[Any] = list(records.values()) if isinstance(records, Mapping) else list(records)
    if date is not None and isinstance(records, Mapping) and isinstance(records.get(date), dict):
        found: dict[str, Any] = records[date]
        return found
    for record in values:
        if isinstance(record, dict) and (
            (stage is not None and record.get("stage") == stage)
            or (date is not None and str(record.get("date", "")).startswith(date))
        ):
            return record
    raise FormatError(f"no stage record for stage {stage} / date {date}")


def climbs_from_checkpoints(checkpoints: Any) -> tuple[Climb, ...]:
    """Categorised climbs from `checkpoint-{year}-{stage}` (one object keyed "0".."N")."""
    objects = checkpoints if isinstance(checkpoints, list) else [checkpoints]
    climbs: list[Climb] = []
    for block in objects:
        if not isinstance(block, dict):
            continue
        for checkpoint in block.values():
            if not isinstance(checkpoint, dict):
                continue
            for summit in checkpoint.get("checkpointSummits") or []:
                if not isinstance(summit, dict):
                    continue
                found = summit.get("summit")
                info: dict[str, Any] = found if isinstance(found, dict) else {}
                climbs.append(
                    Climb(
                        name=str(info.get("name") or checkpoint.get("place") or "climb"),
                        summit_km=float(checkpoint.get("length") or 0.0),
                        length_km=_number(summit.get("length"), scale=0.001),
                        gradient_pct=_number(summit.get("state")),
                        category=str(summit["code"]) if summit.get("code") is not None else None,
                    )
                )
    return tuple(climbs)


def sprints_from_checkpoints(checkpoints: Any) -> tuple[Sprint, ...]:
    """Intermediate sprints from `checkpoint-{year}-{stage}`: checkpoints of type "sprint" that
    are not the arrival (the finish carries the sprint type too: its points are the stage's)."""
    objects = checkpoints if isinstance(checkpoints, list) else [checkpoints]
    sprints: list[Sprint] = []
    for block in objects:
        if not isinstance(block, dict):
            continue
        for checkpoint in block.values():
            types = checkpoint.get("checkpointTypes") if isinstance(checkpoint, dict) else None
            kinds = {t.get("type") for t in types or [] if isinstance(t, dict)}
            km = _number(checkpoint.get("length")) if isinstance(checkpoint, dict) else None
            if "sprint" in kinds and "arrival" not in kinds and km is not None and isfinite(km):
                sprints.append(Sprint(name=str(checkpoint.get("place") or "sprint"), km=km))
    return tuple(sorted(sprints, key=lambda s: s.km))


def arrival_km(checkpoints: Any) -> float | None:
    """Distance of the arrival checkpoint, when the checkpoints say it."""
    objects = checkpoints if isinstance(checkpoints, list) else [checkpoints]
    for block in objects:
        if not isinstance(block, dict):
            continue
        for checkpoint in block.values():
            types = checkpoint.get("checkpointTypes") if isinstance(checkpoint, dict) else None
            if any(isinstance(t, dict) and t.get("type") == "arrival" for t in types or []):
                return _number(checkpoint.get("length"))
    return None


def start_list(
    *,
    race: str,
    year: int,
    stage: Mapping[str, Any],
    riders: Sequence[Mapping[str, Any]],
    teams: Sequence[Mapping[str, Any]],
    trace: Mapping[str, Any] | None = None,
    checkpoints: Any = None,
) -> StartList:
    """The `StartList` of a stage from its Race Center records."""
    teams_by_id = teams_from_records(teams)
    profile, route_km = route_profile(trace) if trace else ((), None)
    distance = route_km or (arrival_km(checkpoints) if checkpoints else None)
    if not distance:
        distance = _number(stage.get("length"))
    if not distance:
        raise FormatError("the stage has no length")
    departure = stage.get("departureCity") or {}
    arrival = stage.get("arrivalCity") or {}
    start = StartList(
        stage=Stage(
            race=race,
            year=year,
            number=stage.get("stage") if isinstance(stage.get("stage"), int) else None,
            start=str(departure.get("label") or "") if isinstance(departure, dict) else "",
            finish=str(arrival.get("label") or "") if isinstance(arrival, dict) else "",
            distance_km=distance,
            type=STAGE_TYPES.get(str(stage.get("type")), "flat"),
            timezone=_zone(stage.get("timezone")),
            scheduled_start=scheduled_start(stage),
            profile=profile,
            climbs=climbs_from_checkpoints(checkpoints) if checkpoints else (),
            sprints=sprints_from_checkpoints(checkpoints) if checkpoints else (),
        ),
        teams=tuple(sorted(teams_by_id.values(), key=lambda t: t.code)),
        riders=tuple(sorted(riders_from_records(riders, teams_by_id), key=lambda r: r.bib)),
    )
    return clean_model(start)  # Names, teams, places and the race: shown, logged, recorded.


def scheduled_start(stage: Mapping[str, Any]) -> float | None:
    """The scheduled start (UNIX s) from the record's date, start time and zone."""
    date, clock = str(stage.get("date", ""))[:10], stage.get("startTime")
    if not date or not isinstance(clock, str):
        return None
    try:
        local = datetime.fromisoformat(f"{date}T{clock}").replace(
            tzinfo=ZoneInfo(_zone(stage.get("timezone")))
        )
    except ValueError:
        return None
    return local.timestamp()


def _zone(value: object) -> str:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return "UTC"


def _number(value: object, scale: float = 1.0) -> float | None:
    try:
        return float(value) * scale if value is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
