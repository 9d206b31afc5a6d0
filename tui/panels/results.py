"""The results screen's rows (no Textual here): the stage's first riders with their times, the
groups that have finished and their gaps, and the riders outside the time limit, from
`race.results`."""

from __future__ import annotations

from race.situation import Roster
from race.story import StageResults
from race.wording import counted
from tui.panels.format import duration, gap
from tui.panels.lines import MUST_SEE, USUAL, Line, line

HEADING_STYLE = "bold $accent"
MUTED_STYLE = "$text-muted"


def results_lines(results: StageResults | None, roster: Roster) -> list[Line]:
    """Every row of the results; one line saying why when there is no result yet."""
    if results is None:
        return [line(("No result yet: the winner has not crossed the line.", MUTED_STYLE))]
    state = "everyone across the line" if results.final else "riders still on the road"
    out = [
        line((f"Stage result · {results.basis} · {state}", HEADING_STYLE), priority=MUST_SEE),
    ]
    winner_s = results.places[0].time_s if results.places else None
    for place in results.places:
        rider = roster.riders.get(place.bib)
        team = rider.team if rider is not None else "?"
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
    return out


def _shown_gap(time_s: float | None, winner_s: float | None, gap_s: float) -> float:
    """A rider's gap as the difference of the times shown (whole seconds, each rounded): times
    of …:34.4 and …:35.2 behind a winner's …:33.6 would otherwise read "…:34 +0:01" and
    "…:35 +0:02"."""
    if time_s is None or winner_s is None:
        return gap_s
    return float(round(time_s) - round(winner_s))
