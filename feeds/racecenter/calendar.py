"""Which stage to follow today, from the `stage-{year}` records, in the race's own time zone.

The day is the race's, not the machine's: a stage record carries its date and its zone
(`"date": "2026-07-07T00:00:00+02:00"`, `"timezone": "Europe/Paris"`), and a viewer abroad or
up past midnight must still get the stage being raced. A day without a stage is not an error:
before the race, on a rest day, after the last stage, the answer is a `Waiting` with what to
show instead ("Rest day · Stage 16 tomorrow, 13:05"). The clock is an argument: the adapter
reads it, tests pick any instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Day and month names written out here: the machine's locale must not change what is shown."""
NOT_PUBLISHED = "Stages not published yet"


@dataclass(frozen=True)
class StageDay:
    """One stage of the year's calendar."""

    number: int
    day: date
    """The stage's date, in its own zone."""
    zone: tzinfo
    start: str | None
    """The scheduled start, "13:05", in the stage's zone; None when the record has none."""
    cancelled: bool
    record: Mapping[str, Any]

    def when(self, today: date) -> str:
        """ "Stage 16 tomorrow, 13:05" or "Stage 1 on Sat 4 Jul, 13:05", seen from `today`."""
        day = "tomorrow" if self.day - today == timedelta(days=1) else f"on {wording(self.day)}"
        return f"Stage {self.number} {day}" + (f", {self.start}" if self.start else "")


@dataclass(frozen=True)
class Waiting:
    """No stage to follow now, and what to show instead."""

    detail: str


def wording(day: date) -> str:
    """ "Sat 4 Jul"."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def calendar(records: Any) -> list[StageDay]:
    """The stages of `stage-{year}` records (a list, or a mapping by date), by date. Records
    without a stage number or a date are left out: there is no day to follow them on."""
    values = records.values() if isinstance(records, Mapping) else records
    days: list[StageDay] = []
    for record in values if isinstance(records, Mapping | list) else ():
        if not isinstance(record, Mapping):
            continue
        number, written = record.get("stage"), record.get("date")
        if not isinstance(number, int) or isinstance(number, bool) or not isinstance(written, str):
            continue
        try:
            day = date.fromisoformat(written[:10])
        except ValueError:
            continue
        start = record.get("startTime")
        days.append(
            StageDay(
                number=number,
                day=day,
                zone=_zone(record.get("timezone"), written),
                start=start[:5] if isinstance(start, str) and len(start) >= 5 else None,
                cancelled=record.get("isCancelled") is True,
                record=record,
            )
        )
    return sorted(days, key=lambda stage: (stage.day, stage.number))


def todays_stage(records: Any, now: float) -> Mapping[str, Any] | Waiting:
    """The record of the stage raced on the race's day at `now` (UNIX s), or what to wait for.

    Each stage's day is read in its own zone (a race may start abroad): today's stage is the
    one dated today where it is raced. On a day with two stages (a split stage), the last one
    started.
    """
    days = calendar(records)
    if not days:
        return Waiting(NOT_PUBLISHED)
    instant = datetime.fromtimestamp(now, UTC)

    def local(stage: StageDay) -> datetime:
        return instant.astimezone(stage.zone)

    today = [s for s in days if s.day == local(s).date()]
    racing = [s for s in today if not s.cancelled]
    if racing:
        started = [s for s in racing if s.start is not None and s.start <= f"{local(s):%H:%M}"]
        return (started[-1] if started else racing[0]).record
    coming = [s for s in days if s.day > local(s).date() and not s.cancelled]
    prefix = f"Stage {today[0].number} cancelled · " if today else ""
    if not coming:
        return Waiting(f"{prefix}The race is over: last stage on {wording(days[-1].day)}")
    following = coming[0]
    if not prefix and days[0].day <= local(days[0]).date():
        prefix = "Rest day · "  # The race has begun: a day without a stage.
    return Waiting(prefix + following.when(local(following).date()))


def _zone(name: object, written: str) -> tzinfo:
    """The stage's zone: its IANA name, else the offset its date is written with, else UTC."""
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        offset = datetime.fromisoformat(written).tzinfo
    except ValueError:
        offset = None
    return offset or UTC
