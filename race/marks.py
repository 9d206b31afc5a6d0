"""The riders marked to follow closely: `[team] marked` at first, then as the user marks and
unmarks them during the race (`Race.set_marked`).

One `Marks` is shared by everything that reads the set (the notables named in the groups, the
dropped-rider alerts, the time limit's watched riders), so a change made during the race is
read by all of them at their next update, and nothing holds a copy that could go stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from race.models import Bib


class Marks:
    """The current set of marked riders."""

    def __init__(self, initial: Iterable[Bib] = ()) -> None:
        self.bibs: frozenset[Bib] = frozenset(initial)

    def set(self, bibs: Iterable[Bib]) -> bool:
        """Mark exactly `bibs` from now on; returns whether the set changed."""
        new = frozenset(bibs)
        changed = new != self.bibs
        self.bibs = new
        return changed

    def ordered(self) -> tuple[Bib, ...]:
        """The marked bibs, lowest first (a stable order for the situation and the file)."""
        return tuple(sorted(self.bibs))
