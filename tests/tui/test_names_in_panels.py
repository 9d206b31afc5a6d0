"""Names in the panels: a group's row names who is in it as far as its width allows, never runs
into the next column, and tells apart two riders in view who share a family name."""

from __future__ import annotations

import re

from race.situation import GroupView, Notable, Situation
from tests.support.stages import flat_at, mountain_at, stage_run
from tui.panels.gaps import gap_lines, group_line
from tui.panels.group import detail_title
from tui.panels.leadout import leadout_lines
from tui.panels.report import text_report


def _peloton(situation: Situation) -> GroupView:
    return max(situation.groups, key=lambda g: g.size)


def test_a_big_group_without_jerseys_names_its_first_riders_not_a_blank() -> None:
    """Race Center data: no jerseys, no team of mine, the peloton's row still says who."""
    _, situation = flat_at(60.0)
    bare = _peloton(situation).model_copy(update={"notable": ()})
    row = group_line(bare, situation.roster, None, width=78).plain
    first = situation.roster.riders[bare.riders[0]].last_name
    assert first in row
    assert re.search(r" \+\d+$", row), row
    assert len(row) <= 78


def test_notable_riders_come_first_and_the_row_fits_its_width() -> None:
    _, situation = flat_at(60.0)
    peloton = _peloton(situation)
    marked = peloton.riders[-1]
    notable = (*peloton.notable, Notable(bib=marked, reasons=("marked",)))
    group = peloton.model_copy(update={"notable": notable})
    for width in (60, 78, 100, 140):
        row = group_line(group, situation.roster, None, width=width).plain
        assert len(row) <= width, (width, row)
    row = group_line(group, situation.roster, None, width=140).plain
    assert "●Y" in row
    assert situation.roster.riders[marked].last_name in row


def test_a_small_group_lists_every_rider_when_they_fit() -> None:
    _, situation = mountain_at(20.0)
    group = next(g for g in situation.groups if g.name == "Group 2")
    row = group_line(group, situation.roster, None, width=140).plain
    assert all(situation.roster.name(bib) in row for bib in group.riders)


def test_a_groups_name_never_runs_into_its_size() -> None:
    _, situation = flat_at(60.0)
    named = _peloton(situation).model_copy(update={"name": "Winner's group"})
    row = group_line(named, situation.roster, None).plain
    assert re.match(r"Winner's group +\d+ riders", row), row


def test_the_text_report_keeps_the_names_apart_from_the_counts() -> None:
    """`ardoise situation`: after the finish the winner's group's row is one of its lines."""
    last = stage_run("flat").situations[-1][1]
    report = text_report(last, None)
    assert "Winner's group " in report
    assert not re.search(r"[A-Za-z']\d+ riders?", report), report


def test_two_riders_in_view_sharing_a_family_name_get_their_bibs() -> None:
    _, situation = flat_at(1.0)
    text = "\n".join(ln.plain for ln in leadout_lines(situation, wide=True, data_age_s=None))
    shown = re.findall(r"Vercruysse( #\d+)?", text)
    assert len(shown) >= 2
    assert all(bib for bib in shown), text
    # Only one Vandermeulen rides in the trains shown: no bib for him.
    assert "Vandermeulen " in text


def test_every_group_row_carries_its_groups_id() -> None:
    _, situation = mountain_at(20.0)
    keys = [ln.key for ln in gap_lines(situation, None) if ln.key is not None]
    assert keys == [g.id for g in situation.groups]


def test_a_group_the_feed_lost_says_for_how_long_in_place_of_its_trend() -> None:
    _, situation = flat_at(60.0)
    assert situation.t is not None
    peloton = _peloton(situation)
    lost = peloton.model_copy(update={"unseen_since_t": situation.t - 45.0})
    groups = tuple(lost if g is peloton else g for g in situation.groups)
    rows = gap_lines(situation.model_copy(update={"groups": groups}), None, width=78)
    row = next(r.plain for r in rows if r.key == peloton.id)
    assert re.search(r"\+\d:\d\d  not seen 0:45 ", row), row
    assert "s/10 km" not in row
    assert len(row) <= 78
    assert detail_title(lost, situation.t).endswith("km to go · not seen 0:45")
