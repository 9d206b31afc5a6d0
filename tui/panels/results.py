"""The results screen's rows (no Textual here): the stage's first riders with their times, the
groups that have finished and their gaps, the riders outside the time limit and those the feed
lost on the road, from `race.results`."""

from __future__ import annotations

from collections.abc import Sequence

from race.situation import LostRider, Roster
from race.story import StageResults
from race.wording import counted
from tui.panels.format import duration, gap, km_to_go, team_code
from tui.panels.lines import MUST_SEE, USUAL, Line, line

HEADING_STYLE = "bold $accent"
MUTED_STYLE = "$text-muted"


def results_lines(results: StageResults | None, roster: Roster) -> list[Line]:
    """Every row of the results; one line saying why when there is no result yet."""
    if results is None:
        return [line(("No result yet: the winner has not crossed the line.", MUTED_STYLE))]
    lost = results.lost
    if not results.final:
        state = "riders still on the road"
    elif lost:
        state = f"everyone still tracked across the line, {counted(len(lost), 'rider')} lost"
    else:
        state = "everyone across the line"
    out = [
        line((f"Stage result · {results.basis} · {state}", HEADING_STYLE), priority=MUST_SEE),
    ]
    winner_s = results.places[0].time_s if results.places else None
    for place in results.places:
        team = team_code(roster, place.bib)
        time = duration(place.time_s) if place.time_s is not None else "?"
        behind = "" if place.place == 1 else gap(_shown_gap(place.time_s, winner_s, place.gap_s))
        out.append(
            line(
                f"{place.place:>3}  ",
                (f"{roster.name(place.bib):<24}", "bold"),
                f" {team:<4} #{place.bib:<4} {time:>8}  {behind}",
                priority=MUST_SEE if place.place <= 3 else USUAL,
            )
        )
    if results.groups:
        out.append(line(("Groups across the line", HEADING_STYLE)))
        for group in results.groups:
            riders = counted(group.riders, "rider")
            shown = gap(_shown_gap(group.time_s, winner_s, group.gap_s))
            out.append(line(f"  {group.name:<24} {riders:>11}  {shown}"))
    cut = f" (cut {gap(results.cut_s)})" if results.cut_s is not None else ""
    if results.outside:
        out.append(line((f"Outside the time limit{cut}: {len(results.outside)}", "bold $error")))
        out.append(line(f"  {roster.names(results.outside)}"))
    elif results.cut_s is not None:
        out.append(line((f"Nobody across the line outside the time limit{cut}", MUTED_STYLE)))
    out.extend(_lost_lines(lost, roster))
    return out


def _lost_lines(lost: Sequence[LostRider], roster: Roster) -> list[Line]:
    """The riders the feed lost on the road: where each was last seen, no time."""
    if not lost:
        return []
    out = [line((f"Lost by the feed on the road, finish unknown: {len(lost)}", HEADING_STYLE))]
    for rider in lost:
        team = team_code(roster, rider.bib)
        out.append(
            line(
                f"     {roster.name(rider.bib):<24} {team:<4} #{rider.bib:<4} ",
                (f"last seen {km_to_go(rider.km_to_finish)}", MUTED_STYLE),
            )
        )
    return out


def _shown_gap(time_s: float | None, winner_s: float | None, gap_s: float) -> float:
    """A rider's gap as the difference of the times shown (whole seconds, each rounded): times
    of …:34.4 and …:35.2 behind a winner's …:33.6 would otherwise read "…:34 +0:01" and
    "…:35 +0:02"."""
    if time_s is None or winner_s is None:
        return gap_s
    return float(round(time_s) - round(winner_s))
