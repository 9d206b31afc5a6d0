"""The riders the feed lost on the road, in the time gaps: where each was last seen, kept on a
short screen when one is my team's."""

from __future__ import annotations

from race.situation import LostRider, Situation
from tests.support.stages import flat_at
from tui.panels.gaps import gap_lines, lost_lines
from tui.panels.lines import DETAIL, IMPORTANT


def _with_lost(*lost: tuple[int, float]) -> Situation:
    _, situation = flat_at(14.0)
    riders = tuple(LostRider(bib=bib, km_to_finish=km, t=0.0) for bib, km in lost)
    return situation.model_copy(update={"lost": riders})


def test_the_lost_riders_are_named_nearest_the_line_first_with_where_last_seen() -> None:
    situation = _with_lost((51, 13.64), (32, 77.87), (45, 81.36))
    roster = situation.roster
    (row,) = lost_lines(situation, None)
    assert row.plain == (
        f"lost by the feed: {roster.name(51)} 13.6 km to go · {roster.name(32)} 77.9 · +1 more"
    )
    assert row.priority == DETAIL
    assert row.plain in [ln.plain for ln in gap_lines(situation, None)]


def test_a_rider_of_my_team_lost_keeps_the_line_on_a_short_screen() -> None:
    situation = _with_lost((51, 13.64))
    team = situation.roster.riders[51].team
    (row,) = lost_lines(situation, team)
    assert row.priority == IMPORTANT


def test_nobody_lost_no_line() -> None:
    _, situation = flat_at(14.0)
    assert situation.lost == ()
    assert lost_lines(situation, None) == []
