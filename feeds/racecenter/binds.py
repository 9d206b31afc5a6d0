"""The Race Center's other binds, beside the telemetry: the organiser's groups, the
withdrawals and the weather at the checkpoints.

Their formats, as the real Race Center sends them (REST records and live-stream updates
alike: an update's `data` is one record, a REST answer a list of them):

- `pack-{year}-{stage}`: a record with `groups`, each `{name, order, bibs: [{bib}], size,
  computedRelative | relative (s behind the head), remainingDistance | computedRemainingDistance
  (m to go), computedSpeed | speed (km/h), latitude, longitude}`; names like "Peloton",
  "Gr. Maillot Vert". `size` can be a placeholder (999 for the peloton) when not every rider
  is named. Read as independent projects that follow the live Race Center read it.
- `stageWithdrawals-{year}-{stage}`: a record whose `rankings` list the riders out of the race
  (`{bib, ...}`), all of them so far at each update.
- `checkpoint-{year}-{stage}`: one object keyed "0".."N" (as its REST record, see
  `feeds.racecenter.wire`); a checkpoint may carry `checkpointMeteo` `{temperature,
  windDirection, windForce, currentWeatherDesc, meteoAt}` (the shared recordings hold them).

Every string is cleaned (`feeds.text`); a record that cannot be read raises `FormatError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TypeGuard

from feeds.racecenter.wire import FormatError
from feeds.text import clean_text
from race.models import Bib, ReportedGroup, ReportedGroups, WeatherReading

PACK = "pack"
WITHDRAWALS = "stageWithdrawals"
CHECKPOINTS = "checkpoint"
BIND_NAME = re.compile(r"^(?P<name>[A-Za-z]+)-(?P<year>\d{4})(?:-(?P<stage>\d{1,3}))?$")
MAX_GROUP = 250
"""More riders than a Grand Tour starts with: a group `size` above it is a placeholder."""


def bind_parts(bind: str) -> tuple[str, int | None, int | None]:
    """A bind's name, year and stage: "pack-2026-5" → ("pack", 2026, 5)."""
    found = BIND_NAME.match(bind)
    if found is None:
        return bind, None, None
    stage = found.group("stage")
    return found.group("name"), int(found.group("year")), int(stage) if stage else None


def reported_groups(data: Any, now: float | None) -> ReportedGroups | None:
    """The organiser's groups from a `pack` record (or the latest of a list of them), at the
    record's time or else at `now` (the feed's time); None when neither is known."""
    record = _latest(data, "groups")
    groups = record.get("groups")
    if not isinstance(groups, list):
        raise FormatError("pack: no groups")
    t = _record_time(record) or now
    if t is None:
        return None
    read = [_group(g) for g in groups if isinstance(g, dict)]
    read.sort(key=lambda g: (g.order is None, g.order or 0))
    return ReportedGroups(t=t, groups=tuple(read))


def _group(group: Mapping[str, Any]) -> ReportedGroup:
    bibs = tuple(
        b["bib"] for b in group.get("bibs") or () if isinstance(b, dict) and _is_bib(b.get("bib"))
    )
    size = group.get("size")
    if not (_is_int(size) and 0 < size <= MAX_GROUP):
        size = len(bibs) or None
    gap = _first_number(group, "computedRelative", "relative")
    metres = _first_number(group, "remainingDistance", "computedRemainingDistance")
    return ReportedGroup(
        name=clean_text(str(group.get("name") or "?")),
        order=group["order"] if _is_int(group.get("order")) else None,
        bibs=bibs,
        size=max(size, len(bibs)) if size is not None else None,
        gap_s=gap if gap is not None and gap >= 0 else None,
        km_to_finish=metres / 1000 if metres is not None and metres >= 0 else None,
        speed_kmh=_first_number(group, "computedSpeed", "speed"),
        lat=_first_number(group, "latitude"),
        lon=_first_number(group, "longitude"),
    )


def withdrawn(data: Any) -> tuple[Bib, ...]:
    """The riders a `stageWithdrawals` record lists, in its order."""
    records = data if isinstance(data, list) else [data]
    bibs: list[Bib] = []
    for record in records:
        if not isinstance(record, dict):
            continue
        rankings = record.get("rankings")
        if not isinstance(rankings, list):
            raise FormatError("stageWithdrawals: no rankings")
        for entry in rankings:
            bib = entry.get("bib") if isinstance(entry, dict) else None
            if _is_bib(bib) and bib not in bibs:
                bibs.append(bib)
    return tuple(bibs)


def weather(data: Any) -> tuple[WeatherReading, ...]:
    """The weather readings of a `checkpoint` record, in road order (none: an empty tuple)."""
    readings = [
        _reading(checkpoint, meteo)
        for checkpoint in _checkpoints(data)
        if isinstance(meteo := checkpoint.get("checkpointMeteo"), dict)
    ]
    readings.sort(key=lambda r: (r.km is None, r.km or 0.0))
    return tuple(readings)


def _checkpoints(data: Any) -> Iterator[Mapping[str, Any]]:
    blocks = data if isinstance(data, list) else [data]
    if not any(isinstance(b, dict) for b in blocks):
        raise FormatError("checkpoint: not an object")
    for block in blocks:
        if isinstance(block, dict):
            yield from (c for c in block.values() if isinstance(c, dict))


def _reading(checkpoint: Mapping[str, Any], meteo: Mapping[str, Any]) -> WeatherReading:
    place = checkpoint.get("place") or checkpoint.get("road") or ""
    direction = meteo.get("windDirection")
    sky = meteo.get("currentWeatherDesc")
    return WeatherReading(
        place=clean_text(str(place)),
        km=_first_number(checkpoint, "length"),
        at=_iso_time(meteo.get("meteoAt") or meteo.get("updatedAt")),
        temperature_c=_first_number(meteo, "temperature"),
        wind_direction=clean_text(direction) if isinstance(direction, str) and direction else None,
        wind_force=_first_number(meteo, "windForce"),
        sky=clean_text(sky) if isinstance(sky, str) and sky else None,
    )


def _latest(data: Any, key: str) -> Mapping[str, Any]:
    """The record itself, or of a list the last updated one holding `key` (a REST answer
    mixes records of other binds in: they are skipped)."""
    if isinstance(data, dict):
        return data
    listed = data if isinstance(data, list) else []
    records = [r for r in listed if isinstance(r, dict) and key in r]
    if not records:
        raise FormatError(f"no record with {key}")
    return max(records, key=lambda r: _record_time(r) or 0.0)


def _record_time(record: Mapping[str, Any]) -> float | None:
    """When a record was last updated (UNIX s): `_updatedAt` (ms), else its `date`."""
    updated = record.get("_updatedAt")
    if _is_number(updated) and updated > 0:
        return float(updated) / 1000
    return _iso_time(record.get("date"))


def _iso_time(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _first_number(record: Mapping[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = record.get(key)
        if _is_number(value):
            return float(value)
    return None


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bib(value: object) -> TypeGuard[int]:
    return _is_int(value) and 0 < value < 10_000
