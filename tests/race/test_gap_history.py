"""The gap history (`race.gaps.history`): samples on the head's road, catches confirmed only
when the caught group stays gone, the cut kept only on a day the time limit matters."""

from __future__ import annotations

import copy
import itertools
import pickle

from race.alerts import AlertLog
from race.frame import Frame
from race.gaps.history import CATCH_CONFIRM_KM, SAMPLE_KM, GapHistory
from race.gaps.lineage import GroupLineage
from race.models import Bib, Stage
from race.situation import GroupView, LimitGroup, Roster, TimeLimit
from tests.support.stages import flat_at, mountain_at, stage_run

STAGE = Stage(race="Test", year=2026, distance_km=100.0)
BREAK = frozenset({1, 2})
BUNCH = frozenset(range(3, 60))


def group(gid: str, name: str, riders: frozenset[Bib], gap: float) -> GroupView:
    kind = "head" if gap == 0 else "peloton"
    return GroupView(
        id=gid,
        name=name,
        kind=kind,
        riders=tuple(sorted(riders)),
        gap_s=gap,
        gap_to_ahead_s=None,
        km_to_finish=0.0,
        speed_kmh=None,
        trend_s_per_10km=None,
        trend_s_per_min=None,
        trend_basis=None,
    )


class Road:
    """Feeds `GapHistory` frames of groups (riders, name, gap) at the head's km from the start."""

    def __init__(self) -> None:
        self.history = GapHistory()
        self.lineage = GroupLineage()

    def at(
        self, km: float, groups: list[tuple[frozenset[Bib], str, float]], limit: TimeLimit
    ) -> None:
        ids, lineage = self.lineage.update([riders for riders, _, _ in groups])
        views = [group(gid, n, r, g) for gid, (r, n, g) in zip(ids, groups, strict=True)]
        frame = Frame(
            t=km * 90,
            stage=STAGE,
            roster=Roster(),
            alerts=AlertLog(),
            head_km=STAGE.distance_km - km,
            groups=views,
            lineage=lineage,
        )
        self.history.update(frame, limit)


def test_groups_are_sampled_every_half_km_and_a_catch_is_marked_where_the_lines_meet() -> None:
    road = Road()
    calm = TimeLimit(cut_s=900.0)
    for step in range(41):  # Every 0.25 km: every other frame is a sample.
        km = step * 0.25
        gap = 60.0 - 6.0 * km
        road.at(km, [(BREAK, "Head of race", 0.0), (BUNCH, "Peloton", gap)], calm)
    road.at(10.25, [(BREAK | BUNCH, "Peloton", 0.0)], calm)
    for step in range(1, 8):
        road.at(10.25 + step * 0.25, [(BREAK | BUNCH, "Peloton", 0.0)], calm)
    story = road.history.story()
    lines = {gl.name: gl for gl in story.lines}
    assert set(lines) == {"Head of race", "Peloton"}
    peloton = lines["Peloton"].points
    assert peloton[0] == (0.0, 60.0)
    assert all(b[0] - a[0] >= SAMPLE_KM for a, b in itertools.pairwise(peloton))
    assert (10.0, 0.0) in peloton
    assert len(story.catches) == 1
    catch = story.catches[0]
    assert (catch.caught, catch.by, catch.km, catch.gap_s) == ("Head of race", "Peloton", 10.25, 0)
    assert story.cut == (), "a calm day: the cut is not drawn"
    assert not story.limit_matters


def test_a_group_flickering_apart_and_back_is_not_caught() -> None:
    road = Road()
    calm = TimeLimit()
    road.at(0.0, [(BREAK, "Head of race", 0.0), (BUNCH, "Peloton", 20.0)], calm)
    road.at(0.5, [(BREAK | BUNCH, "Peloton", 0.0)], calm)  # One frame together...
    road.at(
        0.5 + CATCH_CONFIRM_KM / 2, [(BREAK, "Head of race", 0.0), (BUNCH, "Peloton", 3.0)], calm
    )
    road.at(3.0, [(BREAK, "Head of race", 0.0), (BUNCH, "Peloton", 3.0)], calm)
    assert road.history.story().catches == ()


def test_the_cut_is_kept_once_a_group_has_been_near_it() -> None:
    road = Road()
    tight = TimeLimit(
        cut_s=1200.0,
        groups=(
            LimitGroup(id="x", name="Grupetto", projected_gap_s=1100, margin_s=100, status="tight"),
        ),
    )
    road.at(
        0.0, [(BREAK, "Head of race", 0.0), (BUNCH, "Grupetto", 900.0)], TimeLimit(cut_s=1300.0)
    )
    road.at(1.0, [(BREAK, "Head of race", 0.0), (BUNCH, "Grupetto", 1000.0)], tight)
    story = road.history.story()
    assert story.limit_matters
    assert story.cut == ((0.0, 1300.0), (1.0, 1200.0)), "the whole cut, from before it mattered"


def test_the_simulated_stages_tell_their_story() -> None:
    """The flat stage: its break caught by the peloton near the end; the mountain stage: the
    time limit matters and its groups are drawn from the start."""
    flat = stage_run("flat").story
    mountain = stage_run("mountain").story
    assert flat is not None
    assert mountain is not None
    assert flat_at(0.0)[1].winner_finished
    caught = [c for c in flat.catches if c.caught == "Head of race" and c.by == "Peloton"]
    assert len(caught) == 1
    assert 150 < caught[0].km < 172.6
    assert mountain_at(0.0)[1].time_limit.cut_s is not None
    assert mountain.limit_matters
    assert len(mountain.cut) > 200
    assert mountain.lines[0].points[0][0] < 1.0, "sampled from the start"


def test_the_history_is_checkpointed_whole() -> None:
    """The time machine deep-copies and pickles the engine's state: the story survives both."""
    road = Road()
    for step in range(5):
        road.at(step * 0.5, [(BREAK, "Head of race", 0.0), (BUNCH, "Peloton", 30.0)], TimeLimit())
    story = road.history.story()
    assert copy.deepcopy(road.history).story() == story
    assert pickle.loads(pickle.dumps(road.history)).story() == story


def test_a_catch_in_the_last_few_hundred_metres_is_marked_at_the_line() -> None:
    road = Road()
    calm = TimeLimit()
    road.at(99.0, [(BREAK, "Head of race", 0.0), (BUNCH, "Peloton", 4.0)], calm)
    road.at(99.6, [(BREAK | BUNCH, "Peloton", 0.0)], calm)
    road.at(100.0, [(BREAK | BUNCH, "Peloton", 0.0)], calm)
    assert [(c.caught, c.km) for c in road.history.story().catches] == [("Head of race", 99.6)]
