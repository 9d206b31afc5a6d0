"""What the scenarios share: the head of the race's speed on a gradient, the stage, the
compiled groups, the riders' places in them and the wording of the news.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from feeds.simulation.curves import GapCurve
from feeds.simulation.facts import Scenario, ScenarioFacts, limit_percent
from feeds.simulation.roster import Roster
from feeds.simulation.route import Route
from feeds.simulation.scenarios.courses import NEUTRAL_S
from feeds.simulation.script import (
    Finale,
    GroupKind,
    GroupSpec,
    GroupSprint,
    Script,
    check_monotonic,
    group_times,
    time_at,
)
from race.models import Bib, Jersey, NewsCategory, RaceNews, Stage, StageType

RACE = "Tour de l'Ardoise"
YEAR = 2026

Legs = tuple[tuple[float, str], ...]
"""A rider's itinerary: (km, group name) from which he rides in that group (first km: -inf)."""
Scores = Mapping[Bib, tuple[tuple[float, float], ...]]
"""For each rider, (km, place in the bunch: 0 front .. 1 back) from that km of his group."""


@dataclass(frozen=True)
class Finish:
    """The winner's ride, and the time limit it sets."""

    t: float
    time_s: float
    """From km 0 to the line."""
    speed_kmh: float
    coefficient: int
    limit_percent: int

    @property
    def cut_s(self) -> float:
        """The largest gap to the winner still inside the time limit."""
        return self.time_s * self.limit_percent / 100


def finish(rt: Route, head: tuple[float, ...], start_t: float, coefficient: int) -> Finish:
    """The head of the race is the winner: his time, his speed and the percentage they give."""
    t = time_at(rt, head, rt.distance_km)
    time_s = t - start_t
    speed = rt.distance_km / time_s * 3600
    return Finish(t, time_s, speed, coefficient, limit_percent(coefficient, speed))


class DayFacts(TypedDict):
    """The facts every scenario states the same way: the day, the start list, the winner's ride
    and the time limit (the first fields of `ScenarioFacts`)."""

    scenario: Scenario
    seed: int
    stage_name: str
    distance_km: float
    coefficient: int
    neutral_start_t: float
    start_t: float
    sprint_teams: tuple[str, ...]
    sprinters: Mapping[str, Bib]
    trains: Mapping[str, tuple[Bib, ...]]
    jerseys: Mapping[Bib, Jersey]
    winner_time_s: float
    winner_finish_t: float
    winner_speed_kmh: float
    limit_percent: int
    cut_s: float


@dataclass(frozen=True)
class Day:
    """A stage once its road, its riders and the head of the race's ride are set: what every
    scenario's script and facts say the same way."""

    scenario: Scenario
    seed: int
    stage: Stage
    roster: Roster
    route: Route
    start_t: float
    """When the head of the race passes km 0 (the neutralised start is `NEUTRAL_S` before)."""
    head: tuple[float, ...]
    """The head of the race's passage times on the route grid."""
    won: Finish

    def facts(self) -> DayFacts:
        ro, won = self.roster, self.won
        return DayFacts(
            scenario=self.scenario,
            seed=self.seed,
            stage_name=self.stage.name,
            distance_km=self.route.distance_km,
            coefficient=won.coefficient,
            neutral_start_t=self.start_t - NEUTRAL_S,
            start_t=self.start_t,
            sprint_teams=ro.sprint_teams,
            sprinters={c: t[-1] for c, t in ro.trains.items()},
            trains=ro.trains,
            jerseys=ro.jerseys,
            winner_time_s=round(won.time_s, 1),
            winner_finish_t=round(won.t, 1),
            winner_speed_kmh=round(won.speed_kmh, 2),
            limit_percent=won.limit_percent,
            cut_s=round(won.cut_s, 1),
        )

    def script(
        self,
        groups: tuple[GroupSpec, ...],
        itineraries: Mapping[Bib, Legs],
        scores: Scores,
        facts: ScenarioFacts,
        finale: Finale | None = None,
        sprint: GroupSprint | None = None,
    ) -> Script:
        """The script of the day, without its news (`with_news` adds them)."""
        return Script(
            scenario=self.scenario,
            seed=self.seed,
            stage=self.stage,
            roster=self.roster,
            route=self.route,
            neutral_start_t=self.start_t - NEUTRAL_S,
            start_t=self.start_t,
            head_times=self.head,
            winner_t=self.won.t,
            groups=groups,
            itineraries=itineraries,
            scores=scores,
            finale=finale,
            news=(),
            facts=facts,
            sprint=sprint,
        )


def grade_factor(grad: float) -> float:
    """Speed relative to the flat on a gradient: about -7 % per 1 %, 21 km/h on 7.5 % for a
    44 km/h rider; descents faster, up to +60 % (60 km/h and more on a 6 % descent)."""
    if grad >= 0:
        return 1.0 / (1.0 + 0.062 * grad + 0.011 * grad * grad)
    return min(1.0 + 0.08 * -grad, 1.6)


def ramp(points: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear lookup in (x, y) points sorted by x, constant outside."""
    if x <= points[0][0]:
        return points[0][1]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if x <= x2:
            return y1 + (y2 - y1) * (x - x1) / (x2 - x1)
    return points[-1][1]


def make_stage(
    number: int, start: str, finish: str, kind: StageType, coefficient: int, rt: Route
) -> Stage:
    return Stage(
        race=RACE,
        year=YEAR,
        number=number,
        start=start,
        finish=finish,
        distance_km=rt.distance_km,
        type=kind,
        coefficient=coefficient,
        timezone="Europe/Paris",
        profile=rt.profile(every_km=0.1),
        climbs=rt.climbs(),
        sprints=rt.sprints(),
    )


def make_groups(
    rt: Route,
    head: tuple[float, ...],
    specs: Sequence[tuple[str, GroupKind, GapCurve]],
    itineraries: Mapping[Bib, Legs],
) -> tuple[GroupSpec, ...]:
    """Compile the groups and check that each rides forwards wherever it has riders."""
    out = tuple(
        GroupSpec(name, kind, curve, group_times(rt, head, curve)) for name, kind, curve in specs
    )
    first_km = {g.name: math.inf for g in out}
    for legs in itineraries.values():
        for km, name in legs:
            first_km[name] = min(first_km[name], max(km, rt.x0))
    for g in out:
        check_monotonic(rt, g, first_km[g.name])
    return out


def places_by_strength(rng: random.Random, ro: Roster, legs: Mapping[Bib, Legs]) -> Scores:
    """The stronger the rider, the nearer the front of his group (one draw per rider, in the
    order of `legs`)."""
    strength = ro.strength
    return {
        b: ((-math.inf, min(max(1.0 - strength[b] + rng.uniform(-0.08, 0.08), 0.0), 1.0)),)
        for b in legs
    }


def label(ro: Roster, bib: Bib) -> str:
    r = ro.rider(bib)
    return f"#{bib} {r.short_name} ({r.team})"


def news_at(
    t: float, text: str, riders: Sequence[Bib] = (), category: NewsCategory = "commentary"
) -> RaceNews:
    return RaceNews(t=round(t, 1), category=category, text=text, riders=tuple(riders))


def pick(rng: random.Random, pool: Sequence[Bib], weights: Sequence[float]) -> Bib:
    return rng.choices(list(pool), weights=list(weights))[0]


def with_news(script: Script, news: Sequence[RaceNews]) -> Script:
    return dataclasses.replace(script, news=tuple(sorted(news, key=lambda n: n.t)))
