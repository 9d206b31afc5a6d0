"""The Race Center's updates into Ardoise's events, for one stage: one reading for the live
adapter and the recordings alike.

- telemetry: the frame, unless it is another stage's (`feeds.racecenter.stages`, counted);
- `pack-{year}-{stage}`: the organiser's groups (`ReportedGroups`);
- `stageWithdrawals-{year}-{stage}`: each rider newly listed, once, as an abandon
  (`RaceNews`), named from the start list;
- `checkpoint-{year}-{stage}`: the weather at the checkpoints (`Weather`), when it changed;
- the binds of another stage, and every other bind: ignored (counted).

The formats are in `feeds.racecenter.binds`. An update that cannot be read raises
`FormatError` (the caller counts it as bad); nothing is fatal.
"""

from __future__ import annotations

from typing import Any

from feeds.racecenter.binds import (
    CHECKPOINTS,
    PACK,
    WITHDRAWALS,
    bind_parts,
    reported_groups,
    weather,
    withdrawn,
)
from feeds.racecenter.stages import StageGuard
from feeds.racecenter.wire import FormatError, read_update
from feeds.text import clean_text
from race.models import (
    Bib,
    FeedEvent,
    RaceNews,
    Rider,
    StartList,
    Telemetry,
    Weather,
    WeatherReading,
)


class UpdateReader:
    """Reads the updates of one stage's stream (see the module docstring)."""

    def __init__(self) -> None:
        self.guard = StageGuard()
        self.ignored = 0
        """Updates of binds Ardoise does not use, or of another stage's binds."""
        self.other_stage_reason: str | None = None
        """Why the last update read was a frame of another stage (None if it was not)."""
        self._riders: dict[Bib, Rider] = {}
        self._withdrawn: set[Bib] = set()
        self._weather: tuple[WeatherReading, ...] = ()
        self._last_t: float | None = None

    @property
    def other_stage(self) -> int:
        """Frames of another stage ignored so far."""
        return self.guard.ignored

    def other_stage_said(self) -> str:
        """The count of frames of another stage and why the last one was, for the status."""
        return f"{self.guard.note()} ({self.other_stage_reason or '?'})"

    def start(self, start: StartList) -> None:
        """The stage followed, and its riders (to name withdrawals)."""
        self.guard.follow(start.stage)
        self._riders = {r.bib: r for r in start.riders}

    def read(self, text: str | bytes) -> list[FeedEvent]:
        """The events one update holds (none for an update that is ignored)."""
        self.other_stage_reason = None
        update = read_update(text)
        if isinstance(update, Telemetry):
            reason = self.guard.other_stage(update)
            if reason is not None:
                self.other_stage_reason = reason
                return []
            self._last_t = update.t
            return [update]
        bind, data = update
        name, _, number = bind_parts(bind)
        stage = self.guard.stage
        if stage is None or number is None or number != stage.number:
            self.ignored += 1
            return []
        if name == PACK:
            groups = reported_groups(data, self._last_t)
            return [groups] if groups is not None else []
        if name == WITHDRAWALS:
            return self._withdrawals(data)
        if name == CHECKPOINTS:
            return self._checkpoints(data)
        self.ignored += 1
        return []

    def _withdrawals(self, data: Any) -> list[FeedEvent]:
        new = [bib for bib in withdrawn(data) if bib not in self._withdrawn]
        t = _updated_at(data) or self._last_t
        if t is None and self.guard.stage is not None:
            t = self.guard.stage.scheduled_start
        if not new or t is None:  # No time to put them at: kept for the next update.
            return []
        self._withdrawn.update(new)
        return [
            RaceNews(t=t, category="abandon", text=self._abandon(bib), riders=(bib,)) for bib in new
        ]

    def _abandon(self, bib: Bib) -> str:
        rider = self._riders.get(bib)
        if rider is None:
            return f"#{bib} has abandoned"
        team = f" ({rider.team})" if rider.team else ""
        return clean_text(f"#{bib} {rider.short_name}{team} has abandoned")

    def stage_weather(self, checkpoints: Any) -> list[FeedEvent]:
        """The weather in the stage's own checkpoint records (REST, or a recording's), told
        with the start list: the stream may never update it. Unreadable records tell nothing
        (they were already judged as the stage's climbs)."""
        try:
            return self._checkpoints(checkpoints, count=False)
        except FormatError:
            return []

    def _checkpoints(self, data: Any, *, count: bool = True) -> list[FeedEvent]:
        readings = weather(data)
        if not readings:
            if count:
                self.ignored += 1  # The checkpoints without their weather: nothing to tell.
            return []
        times = [r.at for r in readings if r.at is not None]
        t = self._last_t or (max(times) if times else None)
        if t is None and self.guard.stage is not None:
            t = self.guard.stage.scheduled_start
        if readings == self._weather or t is None:
            return []
        self._weather = readings
        return [Weather(t=t, readings=readings)]


def _updated_at(data: Any) -> float | None:
    """When a record was updated (`_updatedAt`, ms), as UNIX s."""
    found = data.get("_updatedAt") if isinstance(data, dict) else None
    if isinstance(found, int | float) and not isinstance(found, bool) and found > 0:
        return float(found) / 1000
    return None
