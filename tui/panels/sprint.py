"""The lead-out panel's ends: which sprinters are still in the race for the win, and, once the
winner is in, the sprint's result as the data has it."""

from __future__ import annotations

from race.situation import Situation, Train
from race.wording import ordinal
from tui.panels.lines import MUST_SEE, USUAL, Line, line

PODIUM = 3
"""The sprint's first three stay on screen however short the panel (and my team's riders)."""
BEHIND_THE_BUNCH = frozenset({"group", "grupetto", "dropped"})
"""Kinds of group behind the main bunch: a sprinter there is out of the fight for the win (the
grupetto of a mountain stage), whatever the distance left."""


def in_the_fight(train: Train, situation: Situation) -> bool:
    """A train is worth a row while its sprinter (its first rider when he is not known) rides in
    the main bunch or ahead of it: up to the peloton, or the race leader's group when there is
    none. Unknown when the groups do not say: then it is shown."""
    if not train.in_contention:
        return False
    groups = situation.groups
    main = next((i for i, g in enumerate(groups) if g.kind == "peloton"), None)
    if main is None:
        main = next((i for i, g in enumerate(groups) if g.kind == "leader"), None)
    if main is None:
        return True
    bib = train.sprinter if train.sprinter is not None else train.riders[0].bib
    at = next((i for i, g in enumerate(groups) if bib in g.riders), None)
    return at is None or at <= main or groups[at].kind not in BEHIND_THE_BUNCH


def result_lines(situation: Situation, rows: int | None = None) -> list[Line]:
    """ "Sprint: provisional, from the last fixes" then one row per rider across the line:
    place, name, team, and the sprinter's and my team's marks. `rows`: at most this many."""
    finale = situation.finale
    roster = situation.roster
    guess = "" if situation.winner_sure else " · the winner a guess"
    heading = f"Sprint result: provisional, from the last fixes{guess}"
    out = [line(heading, classes={"-info"}, priority=MUST_SEE)]
    places = finale.result if rows is None else finale.result[:rows]
    # My team as the trains know it: the panel is not told the configuration.
    mine = {train.team for train in situation.leadout if train.my_team}
    for place, bib in enumerate(places, start=1):
        rider = roster.riders.get(bib)
        team = rider.team if rider is not None else "?"
        sprinter = " · sprinter" if rider is not None and rider.role == "sprinter" else ""
        out.append(
            line(
                (f"{ordinal(place):<5}", "bold"),
                (roster.name(bib), "bold"),
                f"  {team}{sprinter}",
                classes={"-mine"} if team in mine else None,
                priority=MUST_SEE if place <= PODIUM or team in mine else USUAL,
            )
        )
    return out
