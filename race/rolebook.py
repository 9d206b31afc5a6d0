"""Who rides which role today: the one place the sources of riders' roles are ranked.

A team's sprinter and his lead-out men come, for the whole team, from the first of these that
names a train for it: a choice made during the race (`RoleBook.set_sprinter`), a configured
train (`[team] sprinter`, `[leadout] trains`), the roles file (`[riders] roles`), the feed's
roles. Teams none of them names are detected on the road (`race.leadout.trains`). Any other
role (leader, climber...) comes from a choice during the race, else the roles file, else the
feed.

Everything reaches the analysis through the roster's `Rider.role`: the lead-out's declared
trains and the time limit's watched riders read the same roles. The roster lists each team's
lead-out men in their planned order, first man first: the lead-out reads their order there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from race.models import Bib, Rider, RiderRole
from race.roles import TRAIN_ROLES, DeclaredRoles, Resolved, TeamPlan, resolve
from race.settings import EngineSettings

ROLE_WORDS: dict[RiderRole, str] = {
    "sprinter": "sprinter",
    "leadout": "lead-out man",
    "leader": "leader",
    "climber": "climber",
    "domestique": "domestique",
}


class RoleBook:
    """The start list's riders with the roles in force, and the choices made during the race."""

    def __init__(self, settings: EngineSettings) -> None:
        self._settings = settings
        self._start: tuple[Rider, ...] = ()
        self._configured = Resolved()
        self._from_file = Resolved()
        self._chosen: dict[str, TeamPlan] = {}
        self._chosen_roles: dict[Bib, RiderRole | None] = {}
        self.riders: dict[Bib, Rider] = {}
        """Bib → rider with his role in force, lead-out men in their planned order."""

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the configured trains and the roles file name that the start list does not
        have, one line each naming the file and the key."""
        return self._configured.warnings + self._from_file.warnings

    def forget_choices(self) -> None:
        """A new stage: the choices made during the last one no longer hold."""
        self._chosen.clear()
        self._chosen_roles.clear()

    def set_start_list(self, riders: Iterable[Rider]) -> None:
        """The start list (again): the configuration and the roles file found in it."""
        self._start = tuple(riders)
        by_bib = {rider.bib: rider for rider in self._start}
        settings = self._settings
        keyed = [("team", t) for t in ((settings.team.train,) if settings.team.train else ())]
        keyed += [(f"leadout.trains[{i}]", t) for i, t in enumerate(settings.leadout.trains)]
        declared: DeclaredRoles | None = settings.roles
        self._configured, self._from_file = resolve(declared, keyed, by_bib)
        self._assign()

    def set_sprinter(self, bib: Bib) -> str:
        """Make `bib` his team's sprinter from now on; his team's lead-out men ride for him.

        Returns the race radio's line. Raises KeyError for a bib not in the start list."""
        rider = self.riders[bib]
        current = team_plan(self.riders, rider.team)
        self._chosen[rider.team] = TeamPlan(bib, tuple(b for b in current.leadout if b != bib))
        self._chosen_roles.pop(bib, None)
        self._assign()
        return f"{rider.team}'s sprinter set to {rider.short_name}"

    def set_role(self, bib: Bib, role: RiderRole | None) -> str:
        """Give `bib` a role from now on (None: none). A sprinter becomes his team's sprinter;
        a lead-out man rides last of his team's train; any other role takes him out of it.

        Returns the race radio's line. Raises KeyError for a bib not in the start list, and
        ValueError for a lead-out man whose team has no sprinter."""
        if role == "sprinter":
            return self.set_sprinter(bib)
        rider = self.riders[bib]
        current = team_plan(self.riders, rider.team)
        others = tuple(b for b in current.leadout if b != bib)
        if role == "leadout":
            if current.sprinter is None or current.sprinter == bib:
                raise ValueError(f"{rider.team} has no other sprinter for him to ride for")
            self._chosen[rider.team] = TeamPlan(current.sprinter, (*others, bib))
            self._chosen_roles.pop(bib, None)
        else:
            if current.sprinter == bib:
                # His teammates rode for him: with no sprinter named they are detected again.
                self._chosen[rider.team] = TeamPlan(None)
            elif bib in current.leadout:
                self._chosen[rider.team] = TeamPlan(current.sprinter, others)
            self._chosen_roles[bib] = role
        self._assign()
        what = ROLE_WORDS[role] if role else "no role"
        return f"{rider.short_name} ({rider.team}) set as {what}"

    def _assign(self) -> None:
        self.riders = assign_roles(
            self._start,
            chosen=self._chosen,
            chosen_roles=self._chosen_roles,
            configured=self._configured,
            from_file=self._from_file,
        )


def assign_roles(
    riders: Iterable[Rider],
    *,
    chosen: Mapping[str, TeamPlan] | None = None,
    chosen_roles: Mapping[Bib, RiderRole | None] | None = None,
    configured: Resolved | None = None,
    from_file: Resolved | None = None,
) -> dict[Bib, Rider]:
    """The start list's riders with their roles in force, in start-list order except that each
    planned team's lead-out men come in their planned order.

    Args:
        riders: the start list, roles as the feed gives them.
        chosen: trains chosen during the race, by team (above everything).
        chosen_roles: roles given during the race to single riders (None: no role).
        configured: the configured trains (`race.roles.resolve`).
        from_file: the roles file (`race.roles.resolve`).
    """
    riders = list(riders)
    plans: dict[str, TeamPlan] = {}
    for source in (from_file.teams if from_file else {}, configured.teams if configured else {}):
        plans.update(source)
    plans.update(chosen or {})
    own: dict[Bib, RiderRole | None] = dict(from_file.riders if from_file else {})
    own.update(chosen_roles or {})
    out: dict[Bib, Rider] = {}
    for rider in riders:
        role = own.get(rider.bib, rider.role)
        plan = plans.get(rider.team)
        if plan is not None:
            if rider.bib == plan.sprinter:
                role = "sprinter"
            elif rider.bib in plan.leadout:
                role = "leadout"
            elif role in TRAIN_ROLES:
                role = None  # His team's train is decided above: he is not in it.
        out[rider.bib] = rider if role == rider.role else rider.model_copy(update={"role": role})
    order = [r.bib for r in riders]
    for plan in plans.values():
        planned = [b for b in plan.leadout if b in out]
        members = set(planned)
        slots = [i for i, bib in enumerate(order) if bib in members]
        for slot, bib in zip(slots, planned, strict=True):
            order[slot] = bib
    return {bib: out[bib] for bib in order}


def team_plan(riders: Mapping[Bib, Rider], team: str) -> TeamPlan:
    """A team's train as the roster has it (the lead-out men in their planned order)."""
    sprinter = next((b for b, r in riders.items() if r.team == team and r.role == "sprinter"), None)
    leadout = tuple(b for b, r in riders.items() if r.team == team and r.role == "leadout")
    return TeamPlan(sprinter, leadout)
