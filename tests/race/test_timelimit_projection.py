"""A group's projected gap at the finish: held on the flat, Degenkolb's rule before it has shown
anything, its own pace once it has, on the head's whole road whatever a catch does to the gaps
shown, and not fooled by a GPS jump.

Synthetic stages and groups: every number here can be worked out by hand.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from race.alerts import AlertLog
from race.frame import Frame
from race.settings import EngineSettings
from race.situation import Roster
from race.timelimit.tracker import TimeLimitTracker
from tests.support.stages import tdf_rules
from tests.support.timelimit import ROSTER, SPRINTERS, Race, stage, view


def test_a_group_on_the_flat_is_projected_to_hold_its_gap() -> None:
    race = Race(the_stage=stage((100, 0)))
    limit = race.at(30, [view("grupetto", SPRINTERS, 600.0, 71.0)])
    group = limit.groups[0]
    assert group.projected_gap_s == 600.0
    assert limit.cut_s is not None
    assert group.margin_s == pytest.approx(limit.cut_s - 600.0, abs=0.1)
    assert group.watched == SPRINTERS
    assert group.basis == "now +10:00 · to come +0:00"


def test_a_dropped_group_is_expected_to_lose_a_minute_per_km_on_a_big_climb() -> None:
    # Behind the peloton, before it has shown anything: Degenkolb's rule for the 10 km at 8 %
    # still to come, and a little regained on the 10 km descent at -6 %.
    race = Race()
    peloton = view("peloton", range(100, 130), 30.0, 71.0, kind="peloton")
    grupetto = view("grupetto", SPRINTERS, 300.0, 71.0, kind="grupetto")
    limit = race.at(30, [peloton, grupetto])
    assert limit.groups[0].projected_gap_s == 30.0  # the peloton: nothing assumed
    assert limit.groups[1].projected_gap_s == pytest.approx(300 + 600 - 40, abs=1)
    assert "climbs ≈ 50 s/km at 7 %" in limit.groups[1].basis


def test_a_group_that_loses_time_on_a_climb_projects_the_rest_of_it() -> None:
    race = Race()
    # The head rides the climb far ahead; the group, dropped by the peloton, climbs km 40-45
    # losing 40 s per km (at 8 %: 6.7 s per %·km), which it keeps losing over the 5 km of
    # climb left.
    limit = None
    for step in range(0, 101):
        km = 40 + step * 0.05
        peloton = view("peloton", range(100, 130), 60.0, 100 - km - 2, kind="peloton")
        group = view("grupetto", SPRINTERS, 300 + 40 * (km - 40), 100 - km, kind="grupetto")
        limit = race.at(80, [peloton, group])
    assert limit is not None
    projected = limit.groups[1].projected_gap_s
    # Its pace over the 5 km of climb left (200 s), pulled a little toward the rule of thumb
    # (300 s), then the descent's prior: 1 s per %·km regained over 10 km at -6 % (40 s);
    # reported in whole seconds.
    assert 500 + 200 - 40 < projected <= 500 + 230 - 40


def test_a_catch_moves_the_gaps_shown_but_not_the_projection() -> None:
    # 100 km of flat. A break rides at 40 km/h; chasers 5 min behind at 42 km/h catch it at
    # km 70. The grupetto rides at 40 km/h, 20 min behind the break. Gaps are shown on the
    # first rider's own trajectory, so at the catch the grupetto's gap drops by the break's
    # lead where the grupetto is; the projection is made on the head's whole road.
    t0 = 1_000_000.0

    def break_passes(x: float) -> float:
        return t0 + x / 40 * 3600

    def chasers_pass(x: float) -> float:
        return t0 + 300 + x / 42 * 3600

    catch_t = break_passes(70.0)
    assert chasers_pass(70.0) == pytest.approx(catch_t)

    def road(km_to_go: float) -> float | None:
        x = 100 - km_to_go
        return break_passes(x) if x <= 70 else chasers_pass(x)

    def run(head_passage: Callable[[float], float | None] | None) -> list[tuple[float, float]]:
        tracker = TimeLimitTracker(EngineSettings(rules=tdf_rules()))
        tracker.set_stage(stage((100, 0)), ROSTER)
        shown_and_projected = []
        for t in range(int(catch_t) - 600, int(catch_t) + 600, 30):
            caught = t >= catch_t
            head_x = (t - t0 - 300) / 3600 * 42 if caught else (t - t0) / 3600 * 40
            x = (t - t0 - 1200) / 3600 * 40
            shown = t - (chasers_pass(x) if caught else break_passes(x))
            limit = tracker.update(
                Frame(
                    stage=None,
                    roster=Roster(),
                    t=t,
                    race_time_s=t - t0,
                    head_km=100 - head_x,
                    winner_time_s=None,
                    winner_t=None,
                    groups=[
                        view("head", [1], 0.0, 100 - head_x),
                        view("grupetto", SPRINTERS, shown, 100 - x),
                    ],
                    alerts=AlertLog(),
                    head_passage=head_passage,
                )
            )
            shown_and_projected.append((shown, limit.groups[0].projected_gap_s))
        return shown_and_projected

    frames = run(road)
    before, after = frames[19], frames[20]  # the last frame before the catch, the first after
    assert before[0] == pytest.approx(1200, abs=0.5)
    assert before[0] - after[0] == pytest.approx(57.1, abs=0.5)  # the break's lead at km 56.7
    # On the head's road the grupetto is where it was: 20 min behind, riding as before.
    assert [p for _, p in frames] == pytest.approx([1200.0] * len(frames), abs=1.0)
    # Measured on the first rider alone, the projection would drop with the gap shown.
    alone = run(None)
    assert alone[19][1] - alone[20][1] == pytest.approx(57.1, abs=1.0)


def test_a_gps_jump_is_not_learned_as_pace() -> None:
    # Real feeds can move a rider by a km in one frame: the grupetto's first rider jumps ahead
    # (its gap "drops" by 90 s) and comes back on the next frame.
    def climb(jump_at: int | None) -> float:
        race = Race()
        limit = None
        for step in range(101):
            km = 40 + step * 0.05
            gap = 300 + 40 * (km - 40)
            if step == jump_at:
                km, gap = km + 1.0, gap - 90
            group = view("grupetto", SPRINTERS, gap, 100 - km, kind="grupetto")
            limit = race.at(80, [group])
        assert limit is not None
        return limit.groups[0].projected_gap_s

    assert climb(jump_at=50) == pytest.approx(climb(jump_at=None), abs=5)
