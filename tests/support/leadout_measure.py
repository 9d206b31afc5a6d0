"""The lead-out measured against the data of a real bunch sprint (Stage 5 of the 2026 Tour, Pau).

For every frame of the last 2 km, the raw fixes alone (no engine), each placed on the route from
its GPS position, say which teams have at least two riders in the first 10 (and the first 15) on
the road, front first by their first rider's place. The engine's lead-out (the Situation's
trains, what the panel lists) is then scored: the share of those frames in which it lists each
such team, and the share in which it lists it in the right order among them.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.racecenter.wire import parse_update, stage_record, start_list
from race.engine import Race
from race.models import Bib, Telemetry
from race.situation import Situation
from race.tracking.geometry import RouteLine
from tests.support.stages import engine_settings

LAST_KM = (0.25, 2.0)
"""The last 2 km, up to where the last lead-out man releases his sprinter."""
PLACED_BEHIND_HEAD_KM = 3.0
"""Riders this close to the head are placed from their GPS fix (km to go is in 10 m steps)."""
FRONTS = (10, 15)


@dataclass(frozen=True)
class RoadFrame:
    """One frame of the finale as the raw fixes show it."""

    t: float
    head_km: float
    order: tuple[Bib, ...]
    """Riders on the road, front to back, placed from their GPS fix near the head."""
    team_of: dict[Bib, str] = field(repr=False)

    def teams_at_front(self, first: int) -> list[str]:
        """Teams with at least two riders in the first `first`, front first by their first
        rider's place."""
        front = self.order[:first]
        counts = Counter(self.team_of[b] for b in front)
        seen: list[str] = []
        for bib in front:
            team = self.team_of[bib]
            if counts[team] >= 2 and team not in seen:
                seen.append(team)
        return seen


@dataclass
class TeamScore:
    frames: int = 0
    """Frames where the data shows the team with two riders at the front."""
    listed: int = 0
    """Of those, frames where the lead-out lists the team."""
    in_order: int = 0
    """Of those, frames where it lists it in its place among the teams the data shows."""

    @property
    def listed_share(self) -> float:
        return self.listed / self.frames if self.frames else 0.0

    @property
    def order_share(self) -> float:
        return self.in_order / self.frames if self.frames else 0.0


@cache
def road_frames(path: Path) -> list[RoadFrame]:
    """The frames of the last 2 km of a Race Center recording, from its raw fixes."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        document: dict[str, Any] = json.load(stream)
    rest = document["rest"]
    start = start_list(
        race="Tour de France",
        year=2026,
        stage=stage_record(rest["stages"], date=document["meta"]["date"]),
        riders=rest["riders"],
        teams=rest["teams"],
        trace=rest.get("trace"),
        checkpoints=rest.get("checkpoints"),
    )
    team_of = {r.bib: r.team for r in start.riders}
    route = RouteLine(start.stage.profile, start.stage.distance_km)
    out: list[RoadFrame] = []
    for entry in document["events"]:
        frame = parse_update(entry["data"])
        if frame is None:
            continue
        fixes = [f for f in frame.riders if f.km_to_finish is not None and not f.finished]
        if not fixes:
            continue
        head = min(f.km_to_finish for f in fixes if f.km_to_finish is not None)
        if not LAST_KM[0] < head <= LAST_KM[1]:
            continue
        placed: dict[Bib, float] = {}
        for fix in fixes:
            km = fix.km_to_finish
            assert km is not None
            if fix.lat is not None and fix.lon is not None and km - head < PLACED_BEHIND_HEAD_KM:
                km = route.km_to_finish(fix.lat, fix.lon, km) or km
            placed[fix.bib] = km
        order = tuple(sorted((b for b in placed if b in team_of), key=lambda b: (placed[b], b)))
        out.append(RoadFrame(frame.t, head, order, team_of))
    return out


@cache
def engine_situations(path: Path) -> dict[float, Situation]:
    """The engine's situation after each telemetry frame of a recording, by the frame's time."""
    feed = RecordingFeed(RecordingOptions(path=path, speed=0))
    race = Race(engine_settings())
    out: dict[float, Situation] = {}

    async def read() -> None:
        async for event in feed.events():
            situation = race.apply(event)
            if isinstance(event, Telemetry):
                out[event.t] = situation

    asyncio.run(read())
    return out


def score(
    frames: list[RoadFrame], situations: dict[float, Situation], first: int
) -> dict[str, TeamScore]:
    """Per team the data shows at the front: how often the lead-out lists it, and in order."""
    scores: dict[str, TeamScore] = {}
    for frame in frames:
        shown = situations.get(frame.t)
        listed = [t.team for t in shown.leadout] if shown is not None else []
        expected = frame.teams_at_front(first)
        both = [team for team in listed if team in expected]
        expected_listed = [team for team in expected if team in both]
        for team in expected:
            result = scores.setdefault(team, TeamScore())
            result.frames += 1
            if team in both:
                result.listed += 1
                if both.index(team) == expected_listed.index(team):
                    result.in_order += 1
    return scores


@cache
def pau_scores(path: Path) -> dict[int, dict[str, TeamScore]]:
    """The measure on a recording, for the first 10 and the first 15."""
    frames = road_frames(path)
    situations = engine_situations(path)
    return {first: score(frames, situations, first) for first in FRONTS}


def report(scores: dict[int, dict[str, TeamScore]]) -> list[str]:
    """The measure as lines of text, per front and team, the most present teams first."""
    lines: list[str] = []
    for first, teams in scores.items():
        lines.append(f"teams with 2+ riders in the first {first}")
        lines.append("  team  frames  listed  in order")
        for team, result in sorted(teams.items(), key=lambda item: (-item[1].frames, item[0])):
            lines.append(
                f"  {team:<4}  {result.frames:6d}  {result.listed_share:6.0%}  "
                f"{result.order_share:8.0%}"
            )
    return lines


def ranking_problems(situation: Situation) -> list[str]:
    """Where the lead-out list contradicts its own ranks: a train listed below another showing
    its first rider ahead of it, or two riders shown in one place (the trains in the sprint)."""
    racing = [train for train in situation.leadout if train.in_contention]
    problems = [
        f"{a.team} {a.front_rank} listed above {b.team} {b.front_rank}"
        for a, b in pairwise(racing)
        if a.front_rank > b.front_rank
    ]
    shown = Counter(rider.rank for train in racing for rider in train.riders)
    problems += [f"two riders {rank}" for rank, count in shown.items() if count > 1]
    return problems
