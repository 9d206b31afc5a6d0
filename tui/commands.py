"""The command palette's race commands: set a rider as his team's sprinter during the race.

"Sprinter: 131 J. Philipsen (ALP)" is matched fuzzily on the bib, the name and the team. The
choice goes to the engine (`Race.set_sprinter`): the lead-out panel and the time limit's
watched riders follow at the next update, and the race radio says it. Names come from the
feed: they are shown as plain text, never read as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from race.models import Bib, Rider
from race.situation import Roster


@runtime_checkable
class SprinterSetter(Protocol):
    """What the commands need of the app."""

    @property
    def roster(self) -> Roster: ...

    @property
    def my_team(self) -> str | None: ...

    def set_sprinter(self, bib: Bib) -> None: ...


def sprinter_command(rider: Rider) -> str:
    """ "Sprinter: 131 J. Philipsen (ALP)"."""
    return f"Sprinter: {rider.bib} {rider.short_name} ({rider.team})"


def sprinter_help(rider: Rider, roster: Roster) -> str:
    """Who he would replace: "Jasper Philipsen · ALP's sprinter now: K. Groves"."""
    now = next(
        (r for r in roster.riders.values() if r.team == rider.team and r.role == "sprinter"),
        None,
    )
    replaces = f"{rider.team}'s sprinter now: {now.short_name}" if now else "no sprinter named"
    return f"{rider.first_name} {rider.last_name} · {replaces}"


class SprinterCommands(Provider):
    """Every rider of the start list who is not his team's sprinter yet; with nothing typed,
    my team's riders."""

    @property
    def _setter(self) -> SprinterSetter:
        app = self.app
        assert isinstance(app, SprinterSetter)
        return app

    def _candidates(self) -> list[tuple[Rider, str, Callable[[], None]]]:
        setter = self._setter
        return [
            (rider, sprinter_command(rider), partial(setter.set_sprinter, rider.bib))
            for rider in setter.roster.riders.values()
            if rider.role != "sprinter"
        ]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        roster = self._setter.roster
        for rider, text, command in self._candidates():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    _highlight(matcher, text),
                    command,
                    text=text,
                    help=escape(sprinter_help(rider, roster)),
                )

    async def discover(self) -> Hits:
        setter = self._setter
        mine = setter.my_team
        for rider, text, command in self._candidates():
            if mine and rider.team == mine:
                yield DiscoveryHit(
                    Content(text),
                    command,
                    text=text,
                    help=escape(sprinter_help(rider, setter.roster)),
                )


def _highlight(matcher: Matcher, text: str) -> Content:
    """The matched letters highlighted in `text`, taken as plain text (`Matcher.highlight`
    reads its candidate as markup: a name from the feed must not be)."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
