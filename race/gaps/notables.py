"""Who is worth naming in a group: jersey wearers, riders of my team, sprinters, marked riders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from race.marks import Marks
from race.models import Bib, Jersey
from race.settings import TeamSettings
from race.situation import Notable, Roster


class Nameable(Protocol):
    """A rider as this rule needs him: his bib and the jersey he was last seen in."""

    @property
    def bib(self) -> Bib: ...

    @property
    def jersey(self) -> Jersey | None: ...


class Notables:
    """The reasons to name each rider, and the views that say them (made once: the same few
    riders are notable in every frame)."""

    def __init__(self, team: TeamSettings, marks: Marks | None = None) -> None:
        self._team = team
        self._marks = marks if marks is not None else Marks(team.marked)
        self._reasons: dict[Bib, tuple[str, ...]] = {bib: ("marked",) for bib in self._marks.bibs}
        self._views: dict[tuple[Bib, tuple[str, ...]], Notable] = {}

    def set_roster(self, roster: Roster) -> None:
        """Why each rider is notable whatever happens (jerseys change and are added per fix);
        called again when the marks change."""
        marked = self._marks.bibs
        my_team = self._team.code
        reasons_of: dict[Bib, tuple[str, ...]] = {}
        for bib, rider in roster.riders.items():
            reasons = []
            if my_team and rider.team == my_team:
                reasons.append("my team")
            if rider.role == "sprinter":
                reasons.append("sprinter")
            if bib in marked:
                reasons.append("marked")
            if reasons:
                reasons_of[bib] = tuple(reasons)
        for bib in marked - reasons_of.keys():
            reasons_of[bib] = ("marked",)
        self._reasons = reasons_of

    def candidates(self, jersey_wearers: Iterable[Bib]) -> set[Bib]:
        """Who may be named: a few riders among up to 180, looked for by set intersection."""
        return self._reasons.keys() | set(jersey_wearers)

    def in_group(
        self, found: set[Bib], bibs: tuple[Bib, ...], riders: Mapping[Bib, Nameable]
    ) -> tuple[Notable, ...]:
        """`views` of the riders `found` in a group, in its road order (`bibs`)."""
        if not found:
            return ()
        return self.views([riders[bib] for bib in sorted(found, key=bibs.index)])

    def views(self, riders: Iterable[Nameable]) -> tuple[Notable, ...]:
        """Riders worth naming, each with his reasons: his jersey first."""
        out: list[Notable] = []
        reasons_of = self._reasons
        for rider in riders:
            base = reasons_of.get(rider.bib)
            if rider.jersey:
                reasons = (rider.jersey, *base) if base else (rider.jersey,)
            elif base:
                reasons = base
            else:
                continue
            key = (rider.bib, reasons)
            notable = self._views.get(key)
            if notable is None:
                notable = self._views[key] = Notable(bib=rider.bib, reasons=reasons)
            out.append(notable)
        return tuple(out)
