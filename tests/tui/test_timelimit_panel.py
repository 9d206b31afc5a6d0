"""The time-limit panel's rows for riders at risk: an unknown margin is "?", never 0."""

from __future__ import annotations

from race.models import Rider
from race.situation import LimitGroup, LimitRider, Roster, Situation, TimeLimit
from tui.panels.timelimit import time_limit_lines

ROSTER = Roster(
    riders={
        b: Rider(bib=b, first_name="Sam", last_name=name, team="T", role="sprinter")
        for b, name in ((11, "Fast"), (12, "Quick"), (13, "Rapid"))
    }
)


def situation(riders: tuple[LimitRider, ...], watch_all: bool = False) -> Situation:
    peloton = LimitGroup(
        id="g1", name="Peloton", projected_gap_s=300, margin_s=1500, status="safe", watched=(11,)
    )
    limit = TimeLimit(
        rules="Tour de France",
        cut_s=1800,
        basis="coef 4 · winner ≈ 36.0 km/h → 13 % → cut ≈ +30:00",
        groups=(peloton,),
        riders=riders,
        watch_all=watch_all,
    )
    return Situation(t=1_783_516_000, time_limit=limit, roster=ROSTER)


def test_riders_carrying_a_worse_status_and_lost_ones_get_a_row() -> None:
    lines = time_limit_lines(
        situation(
            (
                LimitRider(bib=11, status="danger", margin_s=1500, group_id="g1", watched=True),
                LimitRider(bib=12, status="safe", margin_s=1500, group_id="g1", watched=True),
                LimitRider(bib=13, status="tight", missing_since_t=1_783_515_600, watched=True),
            )
        )
    )
    plain = [ln.plain.rstrip() for ln in lines]
    assert plain[1].startswith("Peloton")
    # Rider 12's status is his group's: the group's row says it.
    assert plain[2:] == [
        "S. Fast      in Peloton     margin 25:00  ⚠ DANGER",
        "S. Rapid     lost 13:00:00  margin     ?  ! tight",
    ]
    assert "-danger" in lines[2].classes


def test_nobody_named_says_so() -> None:
    lines = time_limit_lines(situation((), watch_all=True))
    assert lines[-1].plain == "No sprinter named: every rider behind the head watched"
