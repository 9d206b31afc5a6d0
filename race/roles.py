"""The roles file (`[riders] roles`): riders' roles where the feed gives none, and the
configured trains, found against the start list.

Riders are written by bib or by name ("Jasper Philipsen", "J. Philipsen", "Philipsen"; case,
accents and hyphens aside): bibs change between races, names do not. A reference that cannot be
used (a name that matches no rider or several, a bib not in the start list or riding for
another team, a rider named twice) is left out and said, never dropped silently. Which source
wins is decided in one place, `race.rolebook`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from race.leadout.settings import TrainSettings
from race.models import Bib, Rider, RiderRole, Settings

TRAIN_ROLES: frozenset[RiderRole] = frozenset({"sprinter", "leadout"})
"""The roles a team's train decides; the others are each rider's own."""


def _rider_ref(value: object) -> Bib | str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip():
        return _as_ref(value)
    raise ValueError("a rider is a bib (a number above 0) or a name")


RiderRef = Annotated[Bib | str, BeforeValidator(_rider_ref)]
"""A rider in the roles file: his bib, or his name (bibs change between races, names do not)."""


class TeamRoles(Settings):
    """One team's train in the roles file."""

    sprinter: RiderRef
    leadout: tuple[RiderRef, ...] = ()
    """Lead-out men in their planned order, first man first, last man last."""


class RolesFile(Settings):
    """The roles file: per team (by its code as the feed spells it) its sprinter and lead-out
    men, and any rider's role, riders by bib or by name."""

    teams: dict[str, TeamRoles] = Field(default_factory=dict)
    riders: dict[str, RiderRole] = Field(default_factory=dict)
    """Rider (a bib, or a name) → role."""

    @field_validator("teams", "riders")
    @classmethod
    def _keys_written(cls, value: dict[str, object]) -> dict[str, object]:
        if any(not key.strip() for key in value):
            raise ValueError("an empty key")
        return value

    def duplicate(self) -> tuple[str, str] | None:
        """The key of a rider written twice in the file, and why; None when there is none.

        A rider given two places (the sprinter of one team and a lead-out man of another, or
        a role in `riders` on top of his team's) is a mistake: which one was meant?"""
        seen: dict[Bib | str, str] = {}
        for team, roles in self.teams.items():
            refs = [("sprinter", roles.sprinter)]
            refs += [(f"leadout[{i}]", ref) for i, ref in enumerate(roles.leadout)]
            for place, ref in refs:
                key = f"teams.{team}.{place}"
                if (problem := _seen_twice(seen, ref, key)) is not None:
                    return problem
        for ref in self.riders:
            if (problem := _seen_twice(seen, _as_ref(ref), f"riders.{ref}")) is not None:
                return problem
        return None


class DeclaredRoles(Settings):
    """A roles file as the engine is given it: its content and where it was read."""

    source: str
    """The file, named in the warnings about it."""
    roles: RolesFile


@dataclass(frozen=True)
class TeamPlan:
    """A team's train: its sprinter (None: nobody declared, he is detected) and lead-out men."""

    sprinter: Bib | None
    leadout: tuple[Bib, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """Roles found against a start list: bibs only, and what could not be used."""

    teams: dict[str, TeamPlan] = field(default_factory=dict)
    riders: dict[Bib, RiderRole] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """One line each, naming the file and the key: a name that matches no rider or several,
    a bib not in the start list or in another team, a rider named twice."""


def resolve(
    declared: DeclaredRoles | None,
    trains: Sequence[tuple[str, TrainSettings]],
    riders: Mapping[Bib, Rider],
) -> tuple[Resolved, Resolved]:
    """The configured trains (each with its key, e.g. "leadout.trains[0]") and the roles file,
    checked against the start list's `riders`.

    Returns (the configured trains, the roles file). What cannot be used is left out and said
    in `warnings`.
    """
    configured = _Resolver(riders, "configuration")
    for key, train in trains:
        configured.team(train.team, train.sprinter, train.leadout, key)
    from_file = _Resolver(riders, declared.source if declared else "")
    if declared is not None:
        for team, roles in declared.roles.teams.items():
            from_file.team(team, roles.sprinter, roles.leadout, f"teams.{team}")
        # Train roles given rider by rider join their team's train: sprinters first, so a
        # lead-out man finds his sprinter whatever the order of the lines.
        entries = sorted(declared.roles.riders.items(), key=lambda item: item[1] != "sprinter")
        for ref, role in entries:
            bib = from_file.rider(_as_ref(ref), None, f"riders.{ref}")
            if bib is not None:
                from_file.give(bib, role, f"riders.{ref}")
    return configured.done(), from_file.done()


def name_key(name: str) -> str:
    """A name as compared: without accents, case, dots, hyphens or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    for mark in ".-'’":
        letters = letters.replace(mark, " ")
    return " ".join(letters.casefold().split())


def names_of(rider: Rider) -> set[str]:
    """Every way the roles file may write a rider's name: "Jasper Philipsen", "Philipsen
    Jasper", "J. Philipsen", "Philipsen"; a first or family name of several words also by its
    first word, as the start list writes them in full ("Jonas Vingegaard" for Jonas VINGEGAARD
    HANSEN, "Aaron Gate" for Aaron Murray GATE)."""
    first, last = name_key(rider.first_name), name_key(rider.last_name)
    firsts = {first, first.split(" ")[0]} if first else {""}
    lasts = {last, last.split(" ")[0]} if last else set()
    forms = set(lasts)
    for given in firsts:
        for family in lasts:
            forms |= {f"{given} {family}", f"{family} {given}"}
            if given:
                forms.add(f"{given[0]} {family}")
    return {form.strip() for form in forms if form.strip()}


class _Resolver:
    """Turns references into bibs, collecting what cannot be used."""

    def __init__(self, riders: Mapping[Bib, Rider], source: str) -> None:
        self._riders = riders
        self._source = source
        self._names: dict[str, list[Bib]] = {}
        for bib, rider in riders.items():
            for form in names_of(rider):
                self._names.setdefault(form, []).append(bib)
        self._placed: dict[Bib, str] = {}
        self.plans: dict[str, TeamPlan] = {}
        self.roles: dict[Bib, RiderRole] = {}
        self.warnings: list[str] = []

    def warn(self, key: str, reason: str) -> None:
        self.warnings.append(f"{self._source}: {key}: {reason}")

    def team(self, team: str, sprinter: Bib | str, leadout: Iterable[Bib | str], key: str) -> None:
        if not any(r.team == team for r in self._riders.values()):
            self.warn(key, f"no team {team!r} in the start list")
            return
        found = self.rider(_as_ref(sprinter), team, f"{key}.sprinter", f"; {team}'s train left out")
        if found is None:
            return
        men = [
            self.rider(_as_ref(ref), team, f"{key}.leadout[{i}]") for i, ref in enumerate(leadout)
        ]
        self.plans[team] = TeamPlan(found, tuple(b for b in men if b is not None))

    def give(self, bib: Bib, role: RiderRole, key: str) -> None:
        """One rider's role; a train role joins (or makes) his team's train."""
        team = self._riders[bib].team
        plan = self.plans.get(team)
        if role not in TRAIN_ROLES:
            self.roles[bib] = role
        elif role == "leadout" and plan is not None:
            self.plans[team] = TeamPlan(plan.sprinter, (*plan.leadout, bib))
        elif role == "leadout":
            self.warn(key, f"a lead-out man, but {team} has no sprinter in this file")
        elif plan is not None:
            sprinter = self._riders[plan.sprinter].short_name if plan.sprinter else "?"
            self.warn(key, f"{team}'s sprinter is already {plan.sprinter} {sprinter}")
        else:
            self.plans[team] = TeamPlan(bib)

    def rider(self, ref: Bib | str, team: str | None, key: str, then: str = "") -> Bib | None:
        """The bib `ref` names (in `team` when given), or None with a warning (ending with
        `then`: what follows from it)."""
        bib, problem = self._find(ref, team)
        if bib is not None and bib in self._placed:
            problem = (
                f"{bib} {self._riders[bib].short_name} is already named at {self._placed[bib]}"
            )
            bib = None
        if bib is None:
            self.warn(key, f"{problem}{then}")
            return None
        self._placed[bib] = key
        return bib

    def _find(self, ref: Bib | str, team: str | None) -> tuple[Bib | None, str]:
        """The bib `ref` names, or None and why."""
        if isinstance(ref, int):
            rider = self._riders.get(ref)
            if rider is None:
                return None, f"no rider {ref} in the start list"
            if team is not None and rider.team != team:
                return None, f"{ref} {rider.short_name} rides for {rider.team}, not {team}"
            return ref, ""
        matches = [
            b
            for b in self._names.get(name_key(ref), [])
            if team is None or self._riders[b].team == team
        ]
        where = f" in {team}" if team else " in the start list"
        if not matches:
            return None, f"no rider named {ref!r}{where}"
        if len(matches) > 1:
            listed = ", ".join(
                f"{b} {self._riders[b].short_name} ({self._riders[b].team})"
                for b in sorted(matches)
            )
            return None, f"{ref!r} names several riders{where}: {listed}"
        return matches[0], ""

    def done(self) -> Resolved:
        return Resolved(dict(self.plans), dict(self.roles), tuple(self.warnings))


def _as_ref(ref: Bib | str) -> Bib | str:
    """A bib written as text (a key of `riders`, "131") is a bib."""
    if isinstance(ref, str) and ref.strip().isdigit():
        return int(ref.strip())
    return ref


def _seen_twice(seen: dict[Bib | str, str], ref: Bib | str, key: str) -> tuple[str, str] | None:
    ref = _as_ref(ref)
    marked: Bib | str = ref if isinstance(ref, int) else name_key(ref)
    if marked in seen:
        what = f"bib {ref}" if isinstance(ref, int) else f"{ref!r}"
        return key, f"{what} is already at {seen[marked]}"
    seen[marked] = key
    return None
