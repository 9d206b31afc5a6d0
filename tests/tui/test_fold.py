"""Rows by priority (`tui.panels.fold`) and the pop-ups' policy (`tui.panels.popups`)."""

from __future__ import annotations

from race.models import Rider, Team
from race.situation import Alert, Roster
from tui.panels.fold import Block, fold, keep_heights, least_rows, share_rows
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


def test_a_block_a_row_or_two_shorter_keeps_its_height_while_the_radio_has_rows_to_spare() -> None:
    # The trains' block needs 12 rows after 13: it keeps 13, from the radio's spare rows.
    assert keep_heights([12, 4, 18], [13, 4, 18], spare=3, slack=2) == [13, 4, 18]
    # Three rows shorter: more than the slack, it shrinks.
    assert keep_heights([10, 4, 18], [13, 4, 18], spare=5, slack=2) == [10, 4, 18]
    # No spare row: nothing is kept (a panel never takes another's rows, nor the reserve's).
    assert keep_heights([12, 4, 18], [13, 4, 18], spare=0, slack=2) == [12, 4, 18]
    # The spare rows go in order of importance; taller needs are never cut; new blocks as is.
    assert keep_heights([12, 3, 20], [13, 5, None], spare=2, slack=2) == [13, 3, 20]


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
