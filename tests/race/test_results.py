"""The stage's result (`race.results`): the first twenty in finishing order with their times
from the real start, the groups at the line, the riders outside the cut; the sprint's result is
its first places."""

from __future__ import annotations

from race.models import Bib
from race.results import RESULT_PLACES, finish_order, stage_results
from race.situation import TimeLimit
from race.tracking.tracks import Placed, RiderTrack
from tests.support.stages import riders_lost, stage_run
from tests.support.timelimit import view
from tui.panels.format import km_to_go
from tui.panels.results import results_lines

START = 1_000.0


def finished_at(bib: Bib, finish_t: float, winner_t: float) -> Placed:
    track = RiderTrack(bib=bib, t=finish_t, km=0.0, finish_t=finish_t)
    return (finish_t - winner_t, 0.0, bib, track)


def test_places_are_timed_from_the_real_start_and_gapped_to_the_winner() -> None:
    finished = [
        finished_at(bib, 15_000.0 + i * 2.5, 15_000.0) for i, bib in enumerate(range(1, 31))
    ]
    limit = TimeLimit(cut_s=70.0, finished_outside=(29, 30))
    results = stage_results(finished, 12, START, (), limit)
    assert len(results.places) == RESULT_PLACES
    first, second = results.places[0], results.places[1]
    assert (first.place, first.bib, first.time_s, first.gap_s) == (1, 1, 14_000.0, 0.0)
    assert (second.bib, second.time_s, second.gap_s) == (2, 14_002.5, 2.5)
    assert results.outside == (29, 30)
    assert results.cut_s == 70.0
    assert not results.final, "12 riders still on the road"
    assert finish_order(finished, 3) == (1, 2, 3)


def test_the_riders_of_a_group_across_the_line_share_its_first_riders_time() -> None:
    """The UCI's finish rule: a sprint's bunch is timed on its first rider, however long it
    takes to cross the line; the next group has its own time."""
    crossed = {1: 0.0, 2: 0.8, 3: 1.6, 4: 2.4, 5: 9.0, 6: 9.5}
    finished = [finished_at(bib, 15_000.0 + gap, 15_000.0) for bib, gap in crossed.items()]
    groups = [
        view("a", (1, 2, 3, 4), 0.0, 0.0, finished=True),
        view("b", (5, 6), 9.0, 0.0, finished=True),
    ]
    results = stage_results(finished, 0, START, groups, TimeLimit())
    times = {p.bib: (p.time_s, p.gap_s) for p in results.places}
    assert times == {
        1: (14_000.0, 0.0),
        2: (14_000.0, 0.0),
        3: (14_000.0, 0.0),
        4: (14_000.0, 0.0),
        5: (14_009.0, 9.0),
        6: (14_009.0, 9.0),
    }


def test_without_the_real_start_the_times_are_unknown_not_zero() -> None:
    results = stage_results([finished_at(7, 15_000.0, 15_000.0)], 0, None, (), TimeLimit())
    assert results.places[0].time_s is None
    assert results.final


def test_the_flat_stage_result_agrees_with_the_sprint_result() -> None:
    run = stage_run("flat")
    results, last = run.results, run.last
    assert results is not None
    assert last is not None
    assert last.winner == results.places[0].bib
    bibs = tuple(p.bib for p in results.places)
    assert last.finale.result == bibs[: len(last.finale.result)], "one finishing order"
    times = [p.time_s for p in results.places if p.time_s is not None]
    assert len(times) == len(results.places)
    assert times == sorted(times)
    assert results.groups
    assert results.groups[0].gap_s == 0.0


def test_the_mountain_stage_places_read_their_groups_times() -> None:
    """Each place shows the time and gap of its group across the line, to the second as the
    group's row shows it (no "+0:50" above a group at "+0:51")."""
    run = stage_run("mountain")
    results, last = run.results, run.last
    assert results is not None
    assert last is not None
    rows = {g.name: g for g in results.groups}
    groups = [g for g in last.groups if g.finished]
    assert len(groups) == len(rows) >= 5
    lines = [ln.plain for ln in results_lines(results, last.roster)]
    for place in results.places:
        group = next(g for g in groups if place.bib in g.riders)
        assert (place.time_s, place.gap_s) == (rows[group.name].time_s, rows[group.name].gap_s)
        if place.place > 1:
            shown = lines[place.place].split()[-1]
            assert any(ln.startswith(f"  {group.name} ") and ln.endswith(shown) for ln in lines)


def test_a_rider_the_feed_loses_on_the_road_is_listed_where_last_seen_never_timed() -> None:
    """The flat stage from its checkpoint (14 km to go) with one rider of the bunch no longer
    sent from 8 km to go, outside the 3 km rule: he has no finish, and the result says where
    he was last seen instead of counting everyone across the line."""
    run = stage_run("flat")
    assert run.last is not None
    assert run.results is not None
    assert run.results.final
    assert run.results.lost == ()
    lost = riders_lost("flat", 1, 8.0)
    results = lost.results
    ((bib, last_seen),) = lost.last_seen.items()
    assert [rider.bib for rider in results.lost] == [bib]
    assert last_seen <= results.lost[0].km_to_finish <= last_seen + 0.5
    assert results.lost[0].km_to_finish > 8.0
    assert bib not in {place.bib for place in results.places}
    assert lost.last.lost == results.lost, "the situation says it as the result does"
    assert results.final, "everyone else across the line"
    lines = [ln.plain for ln in results_lines(results, run.last.roster)]
    assert lines[0].endswith("everyone still tracked across the line, 1 rider lost")
    heading = lines.index("Lost by the feed on the road, finish unknown: 1")
    assert f"#{bib}" in lines[heading + 1]
    assert lines[heading + 1].endswith(f"last seen {km_to_go(results.lost[0].km_to_finish)}")
