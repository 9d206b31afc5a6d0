"""The story's text builders without Textual: the gap chart's rows (`tui.panels.gapchart`), the
results' rows (`tui.panels.results`) and the wind in the header (`tui.panels.header`)."""

from __future__ import annotations

from race.situation import Roster, Situation
from race.story import Catch, FinishedGroup, GapLine, GapStory, ResultPlace, StageResults
from race.wind.view import WindNow
from tests.support.stages import flat_at
from tui.panels.gapchart import CATCH_MARK, CUT_STYLE, MIN_POINTS, gap_chart
from tui.panels.header import title_line, wind_text
from tui.panels.results import results_lines

STORY = GapStory(
    distance_km=100.0,
    lines=(
        GapLine("g1", "Head of race", "head", ((0.0, 0.0), (50.0, 0.0), (100.0, 0.0))),
        GapLine("g2", "Peloton", "peloton", ((0.0, 0.0), (50.0, 300.0), (100.0, 60.0))),
        GapLine("g3", "Group 3", "group", ((40.0, 600.0), (40.5, 601.0))),
    ),
    catches=(Catch(km=100.0, gap_s=0.0, caught="Head of race", by="Peloton"),),
    cut=((0.0, 900.0), (100.0, 900.0)),
    limit_matters=True,
)


def test_the_chart_puts_the_head_on_top_and_the_gaps_down_the_axis() -> None:
    rows = gap_chart(STORY, 60, 16)
    plain = [row.plain for row in rows]
    assert len(rows) == 16
    assert plain[0].startswith("  0:00┤"), "0 at the top: the head of the race"
    assert plain[0].endswith(CATCH_MARK), "the catch at the finish, on the top row"
    assert any(p.lstrip().startswith("+15:00┤") for p in plain), "the cut's gap is on the axis"
    assert plain[-3].startswith("km     0")
    legend = " ".join(plain[-2:])
    assert "Head of race" in legend
    assert "Peloton" in legend
    assert "Group 3" not in legend, f"sampled fewer than {MIN_POINTS} times: noise"
    assert "time-limit cut (projected)" in legend
    cut_rows = [r for r in rows if any(isinstance(p, tuple) and p[1] == CUT_STYLE for p in r.parts)]
    assert cut_rows, "the cut drawn in its own colour"


def test_a_chart_without_a_story_says_why() -> None:
    rows = gap_chart(GapStory(distance_km=None), 80, 20)
    assert [r.plain for r in rows] == [
        "No gaps to chart yet: the race has not started on the road."
    ]


def test_the_results_rows_say_provisional_times_groups_and_the_cut() -> None:
    _, situation = flat_at(60.0)
    roster = situation.roster
    bibs = list(roster.riders)[:3]
    results = StageResults(
        places=(
            ResultPlace(place=1, bib=bibs[0], time_s=13_894.0, gap_s=0.0),
            ResultPlace(place=2, bib=bibs[1], time_s=None, gap_s=2.0),
        ),
        groups=(FinishedGroup(name="Winner's group", riders=40, gap_s=0.0),),
        outside=(bibs[2],),
        cut_s=1250.0,
    )
    plain = [r.plain for r in results_lines(results, roster)]
    assert plain[0].startswith("Stage result · provisional")
    assert plain[0].endswith("riders still on the road")
    assert plain[1].startswith("  1  " + roster.name(bibs[0]))
    assert plain[1].rstrip().endswith("3:51:34")
    assert plain[2].rstrip().endswith("?  +0:02"), "an unknown time is ?, never 0"
    assert plain[4] == "  Winner's group             40 riders  +0:00"
    assert plain[5] == "Outside the time limit (cut +20:50): 1"
    assert plain[6] == f"  {roster.name(bibs[2])}"
    assert [r.plain for r in results_lines(None, Roster())] == [
        "No result yet: the winner has not crossed the line."
    ]


def test_the_results_gaps_are_the_differences_of_the_times_shown() -> None:
    """Each time rounded to the second, and each gap the difference of those: never a rider
    one second behind the winner's time shown two seconds down."""
    _, situation = flat_at(60.0)
    roster = situation.roster
    bibs = list(roster.riders)[:3]
    results = StageResults(
        places=(
            ResultPlace(place=1, bib=bibs[0], time_s=13_893.6, gap_s=0.0),
            ResultPlace(place=2, bib=bibs[1], time_s=13_894.4, gap_s=0.8),
            ResultPlace(place=3, bib=bibs[2], time_s=13_895.2, gap_s=1.6),
        ),
        groups=(),
        outside=(),
        cut_s=None,
    )
    rows = [r.plain.rstrip() for r in results_lines(results, roster)][1:4]
    assert rows[0].endswith("3:51:34")
    assert rows[1].endswith("3:51:34  +0:00")
    assert rows[2].endswith("3:51:35  +0:01")


def test_the_riders_wind_is_in_the_title_when_it_fits() -> None:
    _, situation = flat_at(60.0)
    wind = WindNow(from_deg=22.0, speed_kmh=11.6, temperature_c=25.1, t=0.0, basis="")
    assert wind_text(wind) == "wind NNE 12 km/h · 25 °C"
    unknown = WindNow(from_deg=None, speed_kmh=9.0, t=0.0)
    assert wind_text(unknown) == "wind ? 9 km/h", "no heading known: the direction is ?"
    windy: Situation = situation.model_copy(update={"wind": wind, "weather": None})
    bare = title_line(situation.model_copy(update={"weather": None}), 200).plain
    assert title_line(windy, 200).plain == f"{bare} · wind NNE 12 km/h · 25 °C"
    assert title_line(windy, len(bare) + 5).plain == bare, "never cut"
