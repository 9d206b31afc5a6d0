"""What the time limit keeps about each group: the status it came with or earned, the losses it
has shown on each kind of road (learned frame by frame on the head's road), and its gap
projected to the finish from them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from race.gaps.lineage import Lineage
from race.models import Bib
from race.situation import GroupView, LimitStatus
from race.timelimit.forecast import Terrain
from race.timelimit.losses import DEGENKOLB_S_PER_PCT_KM, DESCENT_REGAIN_S_PER_PCT_KM, LossModel
from race.wording import clock, signed_clock

PROVISIONAL_KM = 5.0
"""A new group is a split, not yet a group of its own, until it has ridden this much road: it
keeps a better status than the one its riders came with only after that, and it is expected to
ride at their group's pace until it shows its own (a split off the back of a bunch closes as
often as not, on the real stage 5 recording within a few km); after that, where it rides says
which rules of thumb apply (`behind_the_race`)."""
MIN_STRETCH_KM = 0.25
"""A group's gap change is learned over stretches of at least this much road."""
MAX_LOSS_S_PER_KM = 200.0
"""A gap that grows faster than this between two frames (plus `JUMP_ALLOWANCE_S`) is a stop, a
crash or a change of the group's first rider, not the terrain: the model skips it. (A grupetto
loses about 60 s per km on a big climb.)"""
MAX_GAIN_S_PER_KM = 30.0
"""A gap that shrinks faster than this is a GPS jump (real feeds move a rider by up to a km in
one frame) or a change of first rider: no group regains more than a few seconds per km."""
JUMP_ALLOWANCE_S = 5.0
FORGET_GROUP_AFTER = 30
"""A group's learned losses are kept this many updates after it was last seen (groups split
and merge; a returning id takes its history back)."""
KEEPS_ITSELF = 0.75
"""A group that keeps its id but not this share of its riders is treated as a new group."""
REFERENCE_CLIMB_PCT = 7.0
"""The projection's basis quotes the loss learned on a climb this steep."""


@dataclass
class GroupState:
    """What the tracker keeps about one group between updates."""

    model: LossModel
    anchor: tuple[float, float] | None = None
    """(km from the start, gap) where the stretch being measured began."""
    last: tuple[float, float] | None = None
    """(km from the start, gap) at the previous update."""
    status: LimitStatus | None = None
    own_km: float = 0.0
    """Road this group has been learned on since it formed (not counting what it inherited)."""
    inherited: bool = False
    """The group formed from others and took their status: held for `PROVISIONAL_KM`."""
    parent_pace: tuple[float, float, float] | None = None
    """While provisional, the losses its riders' group showed: its prior, its own pace aside."""
    pending: LimitStatus | None = None
    pending_count: int = 0
    seen: int = 0
    """Update counter when the group was last seen."""
    riders: frozenset[Bib] = frozenset()
    """Its riders at the last update."""

    @property
    def provisional(self) -> bool:
        """It formed lately and still shows the status its riders came with."""
        return self.inherited and self.own_km < PROVISIONAL_KM


class GroupLearner:
    """Each group's state over one stage: `track` every update, then `projection` per group."""

    def __init__(self) -> None:
        self.distance_km = 0.0
        self.terrain: Terrain | None = None
        """The road the losses are learned and projected on (`set_road`: the stage's)."""
        self.groups: dict[str, GroupState] = {}
        self._previous_status: dict[str, LimitStatus | None] = {}
        """Each group's status at the last update, before it was settled."""
        self._previous_pace: dict[str, tuple[float, float, float]] = {}
        """Each group's learned losses at the last update."""
        self._updates = 0

    def set_road(self, distance_km: float, terrain: Terrain) -> None:
        self.distance_km, self.terrain = distance_km, terrain

    def track(
        self,
        groups: Sequence[GroupView],
        lineage: Lineage | None,
        road_gaps: dict[str, float],
    ) -> dict[str, GroupState]:
        """Each group's state (a new group takes the status of the one its riders came from,
        as `lineage` says), with the gap change since the last update learned. Without a
        lineage (a time trial: one rider per row) every group is its own."""
        self._updates += 1
        dropped = behind_the_race(groups)
        states: dict[str, GroupState] = {}
        members = lineage.members if lineage is not None else {}
        for index, group in enumerate(groups):
            # The lineage holds each group's riders as a set already (once per rider per frame).
            riders = members.get(group.id) or frozenset(group.riders)
            state = self.groups.get(group.id)
            kept = lineage.kept(group.id) if lineage is not None else None
            if state is None or (kept is not None and kept < KEEPS_ITSELF):
                # New, or the same id on another group: it shed riders (a bunch leaving its
                # grupetto behind, or the other way round), or the id came back on other riders
                # (riders going in and out of the back of a bunch). What it showed was the pace
                # of the group it was, and its status is that of the group its riders come from.
                parent = lineage.parent(group.id) if lineage is not None else None
                state = self._inherit(riders, parent)
            state.riders = riders
            self.groups[group.id] = state
            state.seen = self._updates
            # A group already dropped climbs slower than the head and regains a little on the
            # descents: rules of thumb are its prior. Groups at the front assume nothing.
            if state.provisional and state.parent_pace is not None:
                state.model.prior = state.parent_pace
            elif dropped[index]:
                state.model.prior = (DEGENKOLB_S_PER_PCT_KM, 0.0, DESCENT_REGAIN_S_PER_PCT_KM)
            else:
                state.model.prior = (0.0, 0.0, 0.0)
            if not group.finished:
                self._learn(state, group, road_gaps[group.id])
            states[group.id] = state
        # The statuses as they were before this update settles them: what a group formed at
        # the next update inherits.
        self._previous_status = {gid: s.status for gid, s in states.items()}
        self._previous_pace = {gid: s.model.coefficients() for gid, s in states.items()}
        stale = [g for g, s in self.groups.items() if self._updates - s.seen > FORGET_GROUP_AFTER]
        for gid in stale:
            del self.groups[gid]
        return states

    def _inherit(self, riders: frozenset[Bib], parent: str | None) -> GroupState:
        """A new group takes the status of the group most of its riders were in (its parent),
        and its pace as a prior only: a group forms because its riders ride at another pace
        (dropped, away), which its own gaps show within a few km."""
        status = self._previous_status.get(parent) if parent is not None else None
        if status is None or parent is None:
            return GroupState(model=LossModel(), riders=riders)
        pace = self._previous_pace.get(parent)
        return GroupState(
            model=LossModel(), status=status, inherited=True, parent_pace=pace, riders=riders
        )

    def _learn(self, state: GroupState, group: GroupView, gap: float) -> None:
        """Learn the group's gap change (`gap`: on the head's road) since its stretch began."""
        terrain = self.terrain
        assert terrain is not None  # the tracker sets the road before the first update
        x = self.distance_km - group.km_to_finish
        last, state.last = state.last, (x, gap)
        if last is None or state.anchor is None:
            state.anchor = (x, gap)
            return
        dx, dg = x - last[0], gap - last[1]
        if (
            dx < 0
            or dg > JUMP_ALLOWANCE_S + MAX_LOSS_S_PER_KM * dx
            or -dg > JUMP_ALLOWANCE_S + MAX_GAIN_S_PER_KM * dx
        ):
            state.anchor = (x, gap)
            return
        ax, ag = state.anchor
        if x - ax >= MIN_STRETCH_KM:
            state.model.add(terrain.load(ax, x), gap - ag)
            state.own_km += x - ax
            state.anchor = (x, gap)

    def projection(
        self, state: GroupState, group: GroupView, road_gap: float
    ) -> tuple[float, str, float]:
        """The group's gap to the winner at the finish, how it was projected, and the spread
        of what it counts on over the road left (see `UNCERTAIN_SHARE`).

        Its gap on the head's road plus what it is expected to lose to the head over the road
        left. "To come" in the basis is counted from the gap shown (on the first rider's own
        trajectory): after a catch it includes what the new head gained on the old one over
        the road the group has still to ride.
        """
        terrain, distance = self.terrain, self.distance_km
        assert terrain is not None  # the tracker sets the road before the first update
        if group.finished:
            return group.gap_s, "finished", 0.0
        x = distance - group.km_to_finish
        road = terrain.load(min(x, distance), distance)
        a, c, b = state.model.coefficients()
        climbs, flats, descents = a * road.climb, c * road.flat, b * road.descent
        projected = max(road_gap + climbs + flats + descents, 0.0)
        spread = abs(climbs) + abs(flats) + abs(descents)
        # In whole seconds as shown, as the projection is reported: now + to come = projected.
        to_come = round(projected) - round(group.gap_s)
        parts = [f"now +{clock(group.gap_s)}", f"to come {signed_clock(to_come)}"]
        if road.climb > 0:
            parts.append(
                f"climbs ≈ {a * (REFERENCE_CLIMB_PCT - 2.0):.0f} s/km at {REFERENCE_CLIMB_PCT:g} %"
            )
        if road.descent > 0:
            parts.append(f"descents {b * 4.0:+.0f} s/km at −6 %")
        return projected, " · ".join(parts), spread


def behind_the_race(groups: Sequence[GroupView]) -> list[bool]:
    """Which groups (front to back) have been dropped: those behind the main field (the
    largest group, the front-most of equals), and those with at least half of the riders ahead.

    Found from where the riders are, not from the groups' names: a name is a label for the
    screen, and it can be wrong (a 145-rider main field once named "Grupetto" got a
    sprinter's minute per km of climb as its prior). Behind the
    main field is dropped by definition. Half the riders ahead is the mountains' case, where
    the field has broken up and the largest group can be the grupetto itself, behind the
    leaders' groups. A main field with only a break ahead is never dropped, whatever its size.
    """
    if not groups:
        return []
    sizes = [len(g.riders) for g in groups]
    main = max(range(len(groups)), key=lambda i: (sizes[i], -i))
    total = sum(sizes)
    out: list[bool] = []
    ahead = 0
    for index, size in enumerate(sizes):
        out.append(index > main or 2 * ahead >= total)
        ahead += size
    return out


def road_gaps(
    t: float,
    groups: Sequence[GroupView],
    head_passage: Callable[[float], float | None] | None,
) -> dict[str, float]:
    """Each group's gap on the head's road: now minus when the head of the race, whoever it
    was, passed the group's first rider's point (a finished group: its gap at the line).

    The gaps shown are measured on the current first rider's own trajectory, as official
    timing does, so a catch moves every gap behind at once by the old head's lead at that
    point of the road. What a group loses is learned and projected on a reference that does
    not jump: the head's road is the chain of first riders, each taking over where he caught
    (or passed) the last, and it ends on the line at the winner's time, so a group's gap on
    it at the line is its gap to the winner. After a catch the gap on the head's road is the
    gap shown plus the old head's lead at the group's point: exactly what the new head gained
    on the old one over the road the group has still to ride before the place of the catch,
    which is recorded, not guessed.
    """
    gaps: dict[str, float] = {}
    for group in groups:
        gap = group.gap_s
        if head_passage is not None and not group.finished:
            passed = head_passage(group.km_to_finish)
            if passed is not None:
                gap = max(t - passed, 0.0)
        gaps[group.id] = gap
    return gaps
