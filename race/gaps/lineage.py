"""Where each group comes from: its id kept across updates, the group it split from or merged
into, and how much of itself it kept. Decided once per update here; the trends and the time
limit both read it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat

from race.models import Bib

FORGET_AFTER = 5
"""A vanished group's id can be revived for this many updates (a group flickering apart)."""


@dataclass
class _Known:
    id: str
    riders: frozenset[Bib]
    missing_for: int = 0


class GroupIdentity:
    """Gives each group a stable id: a group inherits the id of a previous group when it
    holds at least half of that group's riders (the best overlap wins)."""

    def __init__(self) -> None:
        self._known: list[_Known] = []
        self._counter = 0

    def last_seen(self) -> dict[str, frozenset[Bib]]:
        """Each id still known, with its riders when it was last seen."""
        return {known.id: known.riders for known in self._known}

    def assign(self, groups: Sequence[frozenset[Bib]]) -> list[str]:
        """Ids for `groups` (front to back), inherited from the previous update's groups."""
        exact = {riders: g for g, riders in enumerate(groups)}
        where: dict[Bib, int] | None = None
        candidates: list[tuple[int, int, int]] = []  # (overlap, known index, group index)
        for k, known in enumerate(self._known):
            same = exact.get(known.riders)
            if same is not None:  # Unchanged since the last update: the usual case.
                candidates.append((len(known.riders), k, same))
                continue
            # Count shared riders through the index: one pass (in C) over the known group's
            # riders instead of one set intersection per pair of groups.
            if where is None:
                where = dict(
                    zip(
                        chain.from_iterable(groups),
                        chain.from_iterable(
                            repeat(g, len(riders)) for g, riders in enumerate(groups)
                        ),
                        strict=True,
                    )
                )
            shared_with = Counter(map(where.get, known.riders))
            need = (len(known.riders) + 1) // 2
            for g, shared in shared_with.items():
                if g is not None and shared >= need:
                    candidates.append((shared, k, g))
        candidates.sort(key=lambda c: (-c[0], self._known[c[1]].missing_for, c[1], c[2]))
        ids: list[str | None] = [None] * len(groups)
        used: set[int] = set()
        for _, k, g in candidates:
            if k in used or ids[g] is not None:
                continue
            used.add(k)
            ids[g] = self._known[k].id
        survivors: list[_Known] = []
        for k, known in enumerate(self._known):
            if k not in used and known.missing_for + 1 < FORGET_AFTER:
                known.missing_for += 1
                survivors.append(known)
        final: list[str] = []
        for g, riders in enumerate(groups):
            gid = ids[g]
            if gid is None:
                self._counter += 1
                gid = f"g{self._counter}"
            final.append(gid)
            survivors.append(_Known(gid, riders))
        self._known = survivors
        return final


class Lineage:
    """Where the groups of one update come from (`GroupLineage.update` makes one per update).

    A group's parent is the group of the previous update it shares the most riders with (the
    front-most one on a tie): a group that splits or merges carries on from it. Parents are
    found on demand: most updates keep every group as it was.
    """

    def __init__(
        self,
        members: dict[str, frozenset[Bib]],
        previous: dict[str, frozenset[Bib]],
        last_seen: dict[str, frozenset[Bib]],
    ) -> None:
        self.members = members
        """This update's groups: id → riders, front to back."""
        self.previous = previous
        """The previous update's groups, front to back."""
        self._last_seen = last_seen
        self._parents: dict[str, str | None] = {}

    def is_new(self, gid: str) -> bool:
        """The id was not in the previous update (a new group, or one revived)."""
        return gid not in self.previous

    def parent(self, gid: str) -> str | None:
        """The previous update's group this one shares the most riders with; None when it
        shares none (or there was no previous update)."""
        if gid not in self._parents:
            riders = self.members[gid]
            best, shared = None, 0
            for candidate, before in self.previous.items():
                overlap = len(before & riders)
                if overlap > shared:
                    best, shared = candidate, overlap
            self._parents[gid] = best
        return self._parents[gid]

    def kept(self, gid: str) -> float | None:
        """Share of the riders its id had when last seen that the group still holds (None for
        an id never seen before)."""
        before = self._last_seen.get(gid)
        if before is None:
            return None
        if before == self.members[gid]:
            return 1.0
        return len(before & self.members[gid]) / len(before)


class GroupLineage:
    """Gives each update's groups their ids and their `Lineage`."""

    def __init__(self) -> None:
        self._identity = GroupIdentity()
        self._previous: dict[str, frozenset[Bib]] = {}

    def update(self, groups: Sequence[frozenset[Bib]]) -> tuple[list[str], Lineage]:
        """Ids for `groups` (front to back) and where each comes from."""
        last_seen = self._identity.last_seen()
        ids = self._identity.assign(groups)
        members = dict(zip(ids, groups, strict=True))
        lineage = Lineage(members, self._previous, last_seen)
        self._previous = members
        return ids, lineage
