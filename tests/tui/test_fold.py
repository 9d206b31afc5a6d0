"""Rows by priority (`tui.panels.fold`) and the pop-ups' policy (`tui.panels.popups`)."""

from __future__ import annotations

from race.models import Rider, Team
from race.situation import Alert, Roster
from tui.panels.fold import Block, HeightHold, fold, keep_heights, least_rows, share_rows
from tui.panels.lines import DETAIL, IMPORTANT, MUST_SEE, line
from tui.panels.popups import POPUP_FOR_S, concerns, live, pops_up, popup_line

LINES = [
    line("basis", priority=MUST_SEE),
    line("group 2", priority=IMPORTANT),
    line("OUTSIDE 1", priority=MUST_SEE),
    line("trend basis", priority=DETAIL),
    line("OUTSIDE 2", priority=MUST_SEE),
]


def test_everything_shown_when_it_fits() -> None:
    assert fold(LINES, 5) == LINES
    assert fold(LINES, 9) == LINES


def test_the_least_important_fold_first_into_a_visible_more_line() -> None:
    shown = fold(LINES, 4, key="m")
    assert [ln.plain for ln in shown[:3]] == ["basis", "OUTSIDE 1", "OUTSIDE 2"]
    assert shown[-1].plain == "+2 more · m shows every row"
    assert "-more" in shown[-1].classes


def test_order_kept_and_the_detail_folds_before_a_group() -> None:
    shown = fold(LINES, 5 - 1 + 1)
    assert shown == LINES
    shown = fold([*LINES, line("x", priority=DETAIL)], 5)
    assert [ln.plain for ln in shown] == [
        "basis",
        "group 2",
        "OUTSIDE 1",
        "OUTSIDE 2",
        "+2 more · m shows every row",
    ]


def test_least_rows_counts_the_musts_and_the_more_line() -> None:
    assert least_rows(LINES) == 4
    assert least_rows([line("a", priority=MUST_SEE), line("b")]) == 2
    assert least_rows([]) == 0


def test_musts_before_the_radio_then_full_panels_then_the_radio() -> None:
    # 21 rows: the limit must have 6 and wants 6, the gaps must have 4 and want 15.
    sizes = share_rows(21, [Block(6, 6), Block(4, 15), Block(2, 2)], reserve=2)
    assert sizes == [6, 11, 2]
    assert 21 - sum(sizes) == 2
    # Too short for the radio's reserve: the musts win it.
    assert share_rows(10, [Block(6, 6), Block(4, 15)], reserve=2) == [6, 4]
    # Too short for the musts: the first blocks get theirs, never more rows than there are.
    assert share_rows(8, [Block(6, 6), Block(4, 15)], reserve=2) == [6, 2]
    # Room for everything: the radio takes the rest.
    assert share_rows(40, [Block(6, 6), Block(4, 15)], reserve=2) == [6, 15]


def test_a_block_keeps_its_recent_rows_from_the_spare_rows_then_the_blocks_after_it() -> None:
    blocks = [Block(7, 13), Block(3, 4), Block(4, 18)]
    # The trains' block needs 12 rows after 13: it keeps 13, from the radio's spare rows.
    assert keep_heights([12, 4, 18], [13, 4, 18], blocks, spare=3) == [13, 4, 18]
    # No spare row: from the last block's rows beyond its must-see ones (it folds one more).
    assert keep_heights([12, 4, 18], [13, 4, 18], blocks, spare=0) == [13, 4, 17]
    # Never below a block's must-see rows, nor below what it was given when that is less.
    assert keep_heights([9, 3, 4], [13, 4, 5], blocks, spare=0) == [9, 3, 4]
    assert keep_heights([9, 4, 5], [13, 4, 5], blocks, spare=1) == [12, 3, 4]
    # In order of importance: the first takes a spare row, the second the other and one of
    # the third's; a block as tall as it had, or taller, is as `share_rows` says.
    assert keep_heights([12, 3, 20], [13, 5, 20], blocks, spare=2) == [13, 5, 19]
    assert keep_heights([14, 4, 18], [13, 4, 18], blocks, spare=5) == [14, 4, 18]


def test_the_rows_a_block_had_are_held_for_a_while_then_given_back() -> None:
    hold = HeightHold(hold_s=30.0)
    assert hold.most("trains", 12, now=0.0) == 12
    assert hold.most("trains", 14, now=5.0) == 14
    assert hold.most("trains", 10, now=20.0) == 14
    assert hold.most("trains", 11, now=34.0) == 14  # 14 was had 29 s ago.
    assert hold.most("trains", 9, now=35.0) == 11  # 30 s on: the most since then.
    assert hold.most("trains", 9, now=70.0) == 9
    assert hold.most("gaps", 5, now=70.0) == 5  # Each block its own.
    hold.clear()
    assert hold.most("trains", 3, now=71.0) == 3


ROSTER = Roster(
    teams={"XRG": Team(code="XRG", name="X"), "ADC": Team(code="ADC", name="A")},
    riders={
        11: Rider(bib=11, first_name="A", last_name="Mine", team="XRG"),
        21: Rider(bib=21, first_name="B", last_name="Other", team="ADC"),
    },
)


def test_my_team_and_critical_alerts_pop_up_others_do_not() -> None:
    mine = Alert(t=0, kind="rider_dropped", text="", level="info", key="rider_dropped:11")
    train = Alert(
        t=0, kind="train_out_of_top", text="", level="warning", key="train_out_of_top:XRG"
    )
    other = Alert(
        t=0, kind="train_out_of_top", text="", level="warning", key="train_out_of_top:ADC"
    )
    critical = Alert(
        t=0, kind="time_limit_danger", text="", level="critical", key="time_limit:21:tight:danger"
    )
    assert concerns(mine, ROSTER) == {"XRG"}
    assert concerns(critical, ROSTER) == {"ADC"}
    assert pops_up(mine, ROSTER, "XRG")
    assert pops_up(train, ROSTER, "xrg")
    assert not pops_up(other, ROSTER, "XRG")
    assert not pops_up(mine, ROSTER, None)
    assert pops_up(critical, ROSTER, None)


def test_a_popup_lasts_a_minute_of_race_time_and_old_news_never_pops() -> None:
    early = Alert(t=1000.0, kind="k", text="early", level="critical")
    later = Alert(t=1030.0, kind="k", text="later", level="critical")
    assert live([early, later], 1031.0) == [later, early]
    assert live([early, later], 1000.0 + POPUP_FOR_S) == [later]
    assert live([early, later], 1030.0 + POPUP_FOR_S) == []
    assert live([early], None) == []
    row = popup_line([later, early], "UTC")
    assert row is not None
    assert row.plain.endswith("later  (+1 in the radio)")
    assert "-popup-critical" in row.classes
    assert popup_line([], "UTC") is None
