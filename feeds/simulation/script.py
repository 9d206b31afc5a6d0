"""The compiled plan of a stage: what `world` turns into frames.

A scenario (`scenarios`) decides the story; this module only holds it in a form that is cheap to
play back: the head of the race's passage time at every grid point, each group's gap curve and
passage times, who rides in which group from which km, and the choreography of a sprint finale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from feeds.simulation.curves import GapCurve
from feeds.simulation.facts import ScenarioFacts, WheelLoss
from feeds.simulation.roster import Roster
from feeds.simulation.route import Route
from race.models import Bib, RaceNews, Stage

GroupKind = Literal["peloton", "bunch", "break", "loose"]
"""How riders are laid out inside a group: a bunch (plus, for "peloton", the flat finale),
a small break taking turns, or a few riders who keep their distance ("loose")."""

NEUTRAL_KMH = 28.0
"""Pace behind the race director's car in the neutralised start."""


@dataclass(frozen=True)
class GroupSpec:
    name: str
    kind: GroupKind
    curve: GapCurve
    times: tuple[float, ...]
    """Passage time (UNIX s) at each route grid point: head time + gap."""


@dataclass(frozen=True)
class Finale:
    """Choreography of a bunch-sprint finale, applied to the group named "peloton"."""

    trains: tuple[tuple[Bib, ...], ...]
    """Sprint teams' trains in road order: lead-out men (first man first), then the sprinter."""
    arrive_km: tuple[float, ...]
    """Km to go at which each train has moved up to its place at the front."""
    move_up_km: float
    block_km: float
    """From here to the line the trains ride as one ordered block at the front."""
    spacing_m: Mapping[Bib, float]
    """Distance from each train rider to the wheel ahead of him (m)."""
    train_gap_m: tuple[float, ...]
    """Distance from the previous train's sprinter to each train's first man (m)."""
    peels: Mapping[Bib, float]
    """First train's lead-out men who pull off after their turn, and the km to go where they do."""
    wheel_loss: WheelLoss
    release_km: float
    """Where the sprint is launched (the last lead-out men release their sprinters)."""
    finish_order: tuple[Bib, ...]
    """Sprinters in the order they cross the line, the winner first."""
    finish_gaps_m: tuple[float, ...]
    """Distance at the line from each of them to the one ahead."""
    sit_up_m: Mapping[Bib, float]
    """How far each other block rider drops back during the sprint."""


@dataclass(frozen=True)
class GroupSprint:
    """A small group's sprint for the stage (hilly), applied to one group of kind "break": from
    `launch_km` to go its riders stop taking turns and line out in their crossing order."""

    group: str
    launch_km: float
    order: tuple[Bib, ...]
    """The group's riders in the order they cross the line, the winner first."""
    gaps_m: tuple[float, ...]
    """Distance at the line from each of them to the one ahead (the first: 0)."""


@dataclass(frozen=True)
class Script:
    """A stage, ready to be played back."""

    scenario: str
    seed: int
    stage: Stage
    roster: Roster
    route: Route
    neutral_start_t: float
    start_t: float
    head_times: tuple[float, ...]
    """When the head of the race passes each route grid point (UNIX s)."""
    winner_t: float
    groups: tuple[GroupSpec, ...]
    itineraries: Mapping[Bib, tuple[tuple[float, str], ...]]
    """For each rider, (km, group name) from which he rides in that group (first km: -inf)."""
    scores: Mapping[Bib, tuple[tuple[float, float], ...]]
    """For each rider, (km, place in the bunch: 0 front .. 1 back) from that km of his group."""
    finale: Finale | None
    news: tuple[RaceNews, ...]
    facts: ScenarioFacts
    sprint: GroupSprint | None = None

    def group(self, name: str) -> GroupSpec:
        return next(g for g in self.groups if g.name == name)

    def head_time(self, km: float) -> float:
        """When the head of the race passes `km`."""
        return time_at(self.route, self.head_times, km)

    def group_time(self, name: str, km: float) -> float:
        return time_at(self.route, self.group(name).times, km)


def time_at(route: Route, times: tuple[float, ...], km: float) -> float:
    """Interpolate passage times given on the route grid at `km`."""
    i = route.index(km)
    f = (km - route.km_at(i)) / route.step
    return times[i] + (times[i + 1] - times[i]) * f


def head_times(
    route: Route,
    start_t: float,
    speed: Callable[[float, float], float],
) -> tuple[float, ...]:
    """Integrate the head of the race along the grid: `speed(km, gradient)` in km/h from km 0,
    the neutralised pace before it, and the speed at the line kept after it."""
    zero = round(-route.x0 / route.step)
    times = [0.0] * route.size
    for i in range(zero, -1, -1):
        times[i] = start_t + route.km_at(i) / NEUTRAL_KMH * 3600
    d = route.distance_km
    for i in range(zero, route.size - 1):
        km = route.km_at(i) + route.step / 2
        v = speed(min(km, d), route.grad[min(i, route.index(d))])
        times[i + 1] = times[i] + route.step / v * 3600
    return tuple(times)


def group_times(route: Route, head: tuple[float, ...], curve: GapCurve) -> tuple[float, ...]:
    """Passage times of a group: the head's plus the group's gap at each grid point."""
    kms = [route.km_at(i) for i in range(route.size)]
    return tuple(h + g for h, g in zip(head, curve.sample(kms), strict=True))


def check_monotonic(route: Route, spec: GroupSpec, from_km: float) -> None:
    """A group cannot ride backwards: its passage times must increase along the road."""
    times = spec.times
    for i in range(route.index(from_km), route.size - 1):
        if times[i + 1] <= times[i]:
            raise ValueError(f"group {spec.name} rides backwards at km {route.km_at(i):.2f}")
