"""The simulated start list: 22 fictional teams of 8 riders, their roles and lead-out trains.

The roster is built from a fixed seed (`ROSTER_SEED`), not from the scenario's seed, so that a team
configured as "my team" keeps the same riders, sprinter and train whatever stage is simulated.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from feeds.simulation.teams import NAMES, TEAMS
from race.models import Bib, Jersey, Rider, RiderRole, Team

ROSTER_SEED = 1903
"""Seed of the start list: the year of the first Tour, so that every simulated stage shares it."""

SPRINT_TEAMS = 7
"""Teams that bring a real lead-out train to a bunch sprint (the others' sprinters are weaker)."""

_FOREIGN: tuple[str, ...] = tuple(NAMES)


@dataclass(frozen=True)
class Roster:
    """The start list and what the simulation needs to know about who rides for whom."""

    teams: tuple[Team, ...]
    riders: tuple[Rider, ...]
    trains: Mapping[str, tuple[Bib, ...]]
    """Every team's lead-out men in road order (first man first), then its sprinter."""
    sprint_teams: tuple[str, ...]
    """Teams whose trains fight a bunch sprint, strongest first."""
    jerseys: Mapping[Bib, Jersey]
    strength: Mapping[Bib, float]
    """A climbing/GC rating in [0, 1] (leaders highest): decides who survives the climbs."""

    def __post_init__(self) -> None:
        # Read-only mappings: the roster is built once and shared by every stage.
        for name in ("trains", "jerseys", "strength"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def rider(self, bib: Bib) -> Rider:
        """The rider wearing `bib`."""
        return self.riders[_index(bib)]

    def team_of(self, bib: Bib) -> str:
        return self.riders[_index(bib)].team


def _index(bib: Bib) -> int:
    team, slot = divmod(bib, 10)
    return (team - 1) * 8 + slot - 1


def bibs_of(team_number: int) -> tuple[Bib, ...]:
    """Tour-style numbering: team k (1-based) wears 10k+1 .. 10k+8, 10k+1 being its leader."""
    return tuple(10 * team_number + slot for slot in range(1, 9))


def build_roster(seed: int = ROSTER_SEED) -> Roster:
    """Draw names, nations, roles, trains and jerseys for the 22 teams."""
    rng = random.Random(f"roster:{seed}")
    used: set[tuple[str, str]] = set()
    teams = tuple(Team(code=code, name=name) for code, name, _ in TEAMS)
    sprint_codes = tuple(rng.sample([code for code, _, _ in TEAMS], SPRINT_TEAMS))
    riders: list[Rider] = []
    trains: dict[str, tuple[Bib, ...]] = {}
    strength: dict[Bib, float] = {}
    for number, (code, _, home) in enumerate(TEAMS, start=1):
        bibs = bibs_of(number)
        sprint_team = code in sprint_codes
        roles = _team_roles(rng, sprint_team)
        family: set[str] = set()
        for bib, role in zip(bibs, roles, strict=True):
            nation = home if rng.random() < 0.55 else rng.choice(_FOREIGN)
            first, last = _draw_name(rng, nation, used, family)
            riders.append(
                Rider(
                    bib=bib,
                    first_name=first,
                    last_name=last,
                    team=code,
                    nationality=nation,
                    role=role,
                )
            )
            strength[bib] = _strength(rng, role, bib == bibs[0])
        sprinter = next(b for b, r in zip(bibs, roles, strict=True) if r == "sprinter")
        leadouts = [b for b, r in zip(bibs, roles, strict=True) if r == "leadout"]
        rng.shuffle(leadouts)
        trains[code] = (*leadouts, sprinter)
    jerseys = _jerseys(rng, riders, strength, sprint_codes, trains)
    return Roster(
        teams=teams,
        riders=tuple(riders),
        trains=trains,
        sprint_teams=sprint_codes,
        jerseys=jerseys,
        strength=strength,
    )


def _team_roles(rng: random.Random, sprint_team: bool) -> list[RiderRole]:
    """Roles for bibs 10k+1 .. 10k+8: a sprint team is often led by its sprinter."""
    leadouts = rng.choice((3, 4)) if sprint_team else rng.choice((2, 2, 2, 3))
    climbers = 1 if sprint_team else rng.choice((1, 2, 2))
    lead: list[RiderRole] = ["leadout"] * leadouts
    climb: list[RiderRole] = ["climber"] * climbers
    if sprint_team and rng.random() < 0.6:
        first: RiderRole = "sprinter"
        rest: list[RiderRole] = [*lead, *climb]
    else:
        first = "leader"
        rest = ["sprinter", *lead, *climb]
    domestiques: list[RiderRole] = ["domestique"] * (7 - len(rest))
    rest += domestiques
    rng.shuffle(rest)
    return [first, *rest]


def _strength(rng: random.Random, role: RiderRole, first_bib: bool) -> float:
    base = {"leader": 0.8, "climber": 0.62, "domestique": 0.38, "leadout": 0.22, "sprinter": 0.1}
    bonus = 0.12 if first_bib and role == "leader" else 0.0
    return min(1.0, base[role] + bonus + rng.uniform(-0.1, 0.1))


def _draw_name(
    rng: random.Random, nation: str, used: set[tuple[str, str]], family: set[str]
) -> tuple[str, str]:
    """A name not yet in the start list, and a family name not yet in the team (short names
    like "J. PATRÍCIO" must tell teammates apart); another nation if this one is spent."""
    while True:
        firsts, lasts = NAMES[nation]
        for _ in range(20):
            name = (rng.choice(firsts), rng.choice(lasts))
            if name not in used and name[1] not in family:
                used.add(name)
                family.add(name[1])
                return name
        nation = rng.choice(_FOREIGN)


def _jerseys(
    rng: random.Random,
    riders: list[Rider],
    strength: Mapping[Bib, float],
    sprint_codes: tuple[str, ...],
    trains: Mapping[str, tuple[Bib, ...]],
) -> dict[Bib, Jersey]:
    """Yellow on the strongest leader, green on a sprint team's sprinter, polka-dot on a climber,
    white on another leader (the best young rider)."""
    leaders = sorted((r.bib for r in riders if r.role == "leader"), key=lambda b: -strength[b])
    climbers = [r.bib for r in riders if r.role == "climber"]
    green = trains[rng.choice(sprint_codes[:3])][-1]
    return {
        leaders[0]: "yellow",
        green: "green",
        rng.choice(climbers): "polka-dot",
        rng.choice(leaders[2:6]): "white",
    }
