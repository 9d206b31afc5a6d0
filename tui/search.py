"""Finding a rider or a team (`/`): by name, bib, team code or team name, accents ignored.

Riders and teams are matched with Textual's fuzzy matcher (the command palette's), on their
text folded to plain lower-case letters: "pogacar" finds Pogačar, "morkov" Mørkøv. A query of
digits is a bib: the rider with that bib first, then those whose bib starts with it. Names come
from the feed: they are returned as plain text, with the offsets of the matched letters, never
as markup.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from textual.fuzzy import FuzzySearch

from race.models import Bib, Rider
from race.situation import Roster
from race.wording import counted

QUERY_MAX = 24
"""Letters of a query that are matched: the fuzzy matcher tries every way to place them, and a
long run of one letter over a long name would take seconds."""
SHOWN_MAX = 40
"""Results listed at most (a query of one letter matches nearly everyone)."""

_UNDECOMPOSED = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "s"}
_UNDECOMPOSED |= {"æ": "a", "Æ": "A", "œ": "o", "Œ": "O", "ı": "i", "þ": "t", "ð": "d"}
"""Letters that Unicode does not write as a base letter and an accent: each stands for one
letter, so a folded text keeps the offsets of the original."""


def fold(text: str) -> str:
    """`text` without accents, in lower case, one character for one: "Mørkøv" → "morkov"."""
    out = []
    for char in text:
        plain = _UNDECOMPOSED.get(char)
        if plain is None:
            base = unicodedata.normalize("NFKD", char)
            plain = next((c for c in base if not unicodedata.combining(c)), char)[:1]
        out.append(plain.lower() if len(plain.lower()) == 1 else plain)
    return "".join(out)


@dataclass(frozen=True)
class Found:
    """A rider or a team matching the query."""

    kind: Literal["rider", "team"]
    bib: Bib | None
    """The rider's bib (None for a team)."""
    team: str
    """The rider's team code, or the team's."""
    text: str
    """As listed: "131 Jasper Philipsen · ALP" or "ALP Alpecin-Premier Tech · 8 riders"."""
    matched: tuple[int, ...] = ()
    """Offsets in `text` of the letters the query matched."""
    score: float = 0.0


def rider_text(rider: Rider) -> str:
    """ "131 Jasper Philipsen · ALP"."""
    return f"{rider.bib} {rider.first_name} {rider.last_name} · {rider.team}"


def team_text(code: str, name: str, riders: int) -> str:
    """ "ALP Alpecin-Premier Tech · 8 riders"."""
    count = counted(riders, "rider")
    return f"{code} {name} · {count}" if name and name != code else f"{code} · {count}"


class RiderSearch:
    """The riders and teams of one roster, matched against queries."""

    def __init__(self, roster: Roster) -> None:
        self._riders = list(roster.riders.values())
        counts: dict[str, int] = {}
        for rider in self._riders:
            counts[rider.team] = counts.get(rider.team, 0) + 1
        names = {code: team.name for code, team in roster.teams.items()}
        self._teams = [
            (code, team_text(code, names.get(code, ""), count))
            for code, count in sorted(counts.items())
        ]
        self._rider_texts = [(rider, rider_text(rider)) for rider in self._riders]
        self._folded = {text: fold(text) for _, text in self._rider_texts}
        self._folded |= {text: fold(text) for _, text in self._teams}
        self._fuzzy = FuzzySearch()

    def find(self, query: str) -> list[Found]:
        """What `query` matches, best first; with nothing typed, the teams."""
        query = " ".join(query.split())[:QUERY_MAX]
        if not query:
            return [Found("team", None, code, text) for code, text in self._teams]
        if query.isdigit():
            return self._by_bib(query)
        folded = fold(query)
        found: list[Found] = []
        for code, text in self._teams:
            found.extend(self._match(folded, "team", None, code, text))
        for rider, text in self._rider_texts:
            found.extend(self._match(folded, "rider", rider.bib, rider.team, text))
        found.sort(key=lambda f: (-f.score, f.kind != "team", f.bib or 0))
        return found[:SHOWN_MAX]

    def team(self, code: str) -> list[Found]:
        """A team's riders, by bib."""
        riders = sorted((r for r in self._riders if r.team == code), key=lambda r: r.bib)
        return [Found("rider", r.bib, r.team, rider_text(r)) for r in riders]

    def _by_bib(self, digits: str) -> list[Found]:
        riders = [
            (rider, text) for rider, text in self._rider_texts if str(rider.bib).startswith(digits)
        ]
        riders.sort(key=lambda pair: (str(pair[0].bib) != digits, pair[0].bib))
        return [
            Found("rider", rider.bib, rider.team, text, tuple(range(len(digits))))
            for rider, text in riders[:SHOWN_MAX]
        ]

    def _match(
        self, query: str, kind: Literal["rider", "team"], bib: Bib | None, team: str, text: str
    ) -> list[Found]:
        score, offsets = self._fuzzy.match(query, self._folded[text])
        if score <= 0:
            return []
        return [Found(kind, bib, team, text, tuple(offsets), score)]
