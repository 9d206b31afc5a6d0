"""Riders placed on the route from their GPS fix when the feed gives no km to go.

On made-up routes (an out-and-back, a finish on laps) the placing is checked against the
truth, fix by fix; on the Pau recording and the simulated stages without `kmToFinish` and
`secToFirstRider` (`tests.support.mutations.without_distances`) the engine's answer is checked
against the untouched run's: gaps of the group-frames (as `tests.support.robustness` counts
them: from the real start to the winner's finish, one per group per frame), the winner and his
time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import pytest

from race.engine import Race
from race.models import (
    FeedEvent,
    FeedStatus,
    ProfilePoint,
    RiderFix,
    Stage,
    StartList,
    Telemetry,
)
from race.situation import Situation
from race.tracking.geometry import KM_PER_DEGREE, RouteLine
from race.tracking.gps import GpsPlacer, RouteGrid
from tests.support.frames import T0, start_list
from tests.support.mutations import without_distances
from tests.support.robustness import recording
from tests.support.stages import engine_settings, needs_stage_5, stage_events, stage_run
from tui.panels.header import feed_status_line
from tui.panels.view import ViewContext

LAT0 = 43.0
KX = KM_PER_DEGREE * math.cos(math.radians(LAT0))
KMH = 45.0
STEP_S = 6.0
GAP_S = 10.0
"""A group's gap matches the untouched run's when it is within this many seconds of it."""
SHARE = 0.9
WINNER_S = 30.0


# --- Made-up routes ---------------------------------------------------------------------------


def _latlon(x: float, y: float) -> tuple[float, float]:
    """A point of the plane (km east, km north of 43° N, 0° E) in degrees."""
    return LAT0 + y / KM_PER_DEGREE, x / KX


@dataclass(frozen=True)
class Course:
    """A made-up route: its vertices on the plane, and where a km from the start lies."""

    vertices: Sequence[tuple[float, float]]

    @property
    def length(self) -> float:
        return sum(math.dist(a, b) for a, b in zip(self.vertices, self.vertices[1:], strict=False))

    def at(self, km: float) -> tuple[float, float]:
        """(lat, lon) at `km` from the start."""
        for a, b in zip(self.vertices, self.vertices[1:], strict=False):
            leg = math.dist(a, b)
            if km <= leg:
                f = km / leg
                return _latlon(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
            km -= leg
        return _latlon(*self.vertices[-1])

    def stage(self, *, scheduled: bool = True) -> Stage:
        n = round(self.length / 0.1)
        points = [
            ProfilePoint(km=i * self.length / n, altitude_m=100.0, lat=lat, lon=lon)
            for i in range(n + 1)
            for lat, lon in [self.at(i * self.length / n)]
        ]
        return start_list(5, distance=self.length).stage.model_copy(
            update={"profile": tuple(points), "scheduled_start": T0 if scheduled else None}
        )


OUT_AND_BACK = Course(((0.0, 0.0), (10.0, 0.0), (0.0, 0.0)))
"""10 km east and back on the same road: every place but the turn is passed twice."""
CIRCUIT = ((0.0, 2.0), (2.0, 2.0), (2.0, 0.0), (0.0, 0.0))
LAPS = Course(((0.0, -5.0), (0.0, 0.0), *CIRCUIT * 3))
"""5 km to an 8 km square circuit ridden three times: the finish, at the circuit's corner, is
passed four times."""


def _fix(course: Course, bib: int, km: float, noise_m: float, rng: random.Random) -> RiderFix:
    lat, lon = course.at(km)
    lat += rng.gauss(0.0, noise_m / 1000.0) / KM_PER_DEGREE
    lon += rng.gauss(0.0, noise_m / 1000.0) / KX
    return RiderFix(bib=bib, lat=lat, lon=lon, speed_kmh=KMH)


def _frames(
    course: Course, riders: dict[int, float], until_km: float, noise_m: float = 4.0
) -> Iterable[tuple[Telemetry, dict[int, float]]]:
    """Frames every `STEP_S` of riders starting at `riders` (km from the start) at `KMH`,
    until the first reaches `until_km`, with the truth (km from the start) of each fix."""
    rng = random.Random(13)
    t = 0.0
    while True:
        truth = {bib: km + KMH * t / 3600.0 for bib, km in riders.items()}
        if max(truth.values()) > until_km:
            return
        fixes = tuple(_fix(course, bib, km, noise_m, rng) for bib, km in truth.items())
        yield Telemetry(t=T0 + t, riders=fixes), truth
        t += STEP_S


def _placed(frame: Telemetry, distance: float) -> dict[int, float | None]:
    """Km from the start of each fix, as placed."""
    return {
        fix.bib: None if fix.km_to_finish is None else distance - fix.km_to_finish
        for fix in frame.riders
    }


def test_out_and_back_every_rider_placed_on_his_own_passage() -> None:
    stage = OUT_AND_BACK.stage()
    placer = GpsPlacer()
    worst = 0.0
    frames = 0
    for frame, truth in _frames(OUT_AND_BACK, {1: 0.3, 2: 0.25, 3: 0.2, 4: 0.1}, 19.9):
        placed = _placed(placer.place(frame, stage), stage.distance_km)
        for bib, km in truth.items():
            found = placed[bib]
            assert found is not None, (frame.t - T0, bib, km)
            worst = max(worst, abs(found - km))
        frames += 1
    # The same road both ways: 4 m of GPS noise, never the other passage 2-20 km away.
    assert frames > 250
    assert worst < 0.03
    assert placer.source == "gps"
    assert placer.detail == "4 riders placed from GPS"


def test_a_rider_first_seen_on_the_way_back_goes_where_the_field_is() -> None:
    stage = OUT_AND_BACK.stage()
    placer = GpsPlacer()
    # The field comes from the turn (the one place passed once) to 14 km from the start.
    stream = list(_frames(OUT_AND_BACK, {1: 10.0, 2: 9.95, 3: 9.9}, 14.0))
    for frame, _ in stream[:-1]:
        placer.place(frame, stage)
    frame, truth = stream[-1]
    rng = random.Random(1)
    latecomer = _fix(OUT_AND_BACK, 9, truth[1] - 0.05, 0.0, rng)
    both = frame.model_copy(update={"riders": (*frame.riders, latecomer)})
    placed = _placed(placer.place(both, stage), stage.distance_km)
    # His place is also 6 km from the start, on the way out: the field says which.
    assert placed[9] == pytest.approx(truth[1] - 0.05, abs=0.01)


def test_the_schedule_decides_when_the_whole_field_is_on_a_place_passed_twice() -> None:
    stage = OUT_AND_BACK.stage()
    frame, truth = next(iter(_frames(OUT_AND_BACK, {1: 1.0, 2: 0.9}, 20.0, noise_m=0.0)))
    placed = _placed(GpsPlacer().place(frame, stage), stage.distance_km)
    # At the scheduled start the race is at the start, not 18 km on.
    assert placed == pytest.approx(truth, abs=0.01)
    unscheduled = OUT_AND_BACK.stage(scheduled=False)
    placed = _placed(GpsPlacer().place(frame, unscheduled), stage.distance_km)
    assert placed == pytest.approx(truth, abs=0.01)  # The first passage, with nothing else.


def test_a_fix_on_a_passage_he_cannot_have_reached_is_not_a_jump() -> None:
    stage = OUT_AND_BACK.stage()
    placer = GpsPlacer()
    stream = list(_frames(OUT_AND_BACK, {1: 3.0, 2: 3.1}, 4.0, noise_m=0.0))
    for frame, _ in stream[:-1]:
        placer.place(frame, stage)
    frame, truth = stream[-1]
    # Rider 1's GPS puts him 5 km on from his last fix, 6 s ago: 2 km east or 18 km from the
    # start, wherever he is it is nowhere he could have ridden to.
    glitch = _fix(OUT_AND_BACK, 1, 8.0, 0.0, random.Random(1))
    riders = (glitch, *(f for f in frame.riders if f.bib != 1))
    placed = _placed(
        placer.place(frame.model_copy(update={"riders": riders}), stage), stage.distance_km
    )
    assert placed[1] is None
    assert placed[2] == pytest.approx(truth[2], abs=0.01)
    # His next fix where he is: placed again.
    following = next(iter(_frames(OUT_AND_BACK, {1: truth[1] + KMH * STEP_S / 3600}, 20.0)))
    again = placer.place(following[0].model_copy(update={"t": frame.t + STEP_S}), stage)
    assert _placed(again, stage.distance_km)[1] == pytest.approx(following[1][1], abs=0.02)


def test_laps_of_a_finishing_circuit_keep_each_rider_on_his_lap() -> None:
    stage = LAPS.stage()
    assert stage.distance_km == pytest.approx(29.0)
    placer = GpsPlacer()
    worst = 0.0
    # Every place of the circuit is passed three times: each pass is 8 km from the others.
    for frame, truth in _frames(LAPS, {1: 4.0, 2: 3.0, 3: 1.0}, 28.9):
        placed = _placed(placer.place(frame, stage), stage.distance_km)
        worst = max(worst, *(abs((placed[b] or math.inf) - km) for b, km in truth.items()))
    assert worst < 0.03


def test_the_grid_finds_every_passage_of_a_place_and_nothing_off_the_route() -> None:
    route = RouteLine(LAPS.stage().profile, LAPS.length)
    grid = RouteGrid(route)
    lat, lon = LAPS.at(5.0)  # The circuit's corner: km 5, 13, 21 and 29 (the finish).
    assert grid.passages(*route.plane(lat, lon)) == pytest.approx([5.0, 13.0, 21.0, 29.0])
    lat, lon = LAPS.at(6.0)
    assert grid.passages(*route.plane(lat, lon)) == pytest.approx([6.0, 14.0, 22.0])
    lat, lon = _latlon(1.0, 1.0)  # Inside the circuit, 1 km from every side.
    assert grid.passages(*route.plane(lat, lon)) == []


# --- Nothing to place the riders with ---------------------------------------------------------


def _race_over(stage: Stage, fixes: Sequence[RiderFix], frames: int = 4) -> Situation:
    race = Race(engine_settings())
    race.apply(StartList(stage=stage, teams=(), riders=()))
    situation = race.situation
    for i in range(frames):
        situation = race.apply(Telemetry(t=T0 + i * STEP_S, riders=tuple(fixes)))
    return situation


def test_no_route_says_positions_only_and_the_header_never_says_live() -> None:
    fixes = [_fix(OUT_AND_BACK, b, 2.0, 0.0, random.Random(b)) for b in (1, 2, 3)]
    without_positions = OUT_AND_BACK.stage().model_copy(
        update={
            "profile": tuple(
                p.model_copy(update={"lat": None, "lon": None})
                for p in OUT_AND_BACK.stage().profile
            )
        }
    )
    for stage in (start_list(3).stage, without_positions):
        situation = _race_over(stage, fixes)
        assert situation.placing == "none"
        assert situation.placing_detail == "positions only: no route"
        assert situation.race_state == "pre-start"
        assert situation.race_state_detail == "positions only: no route"
        assert situation.riders_tracked == 0
        json = situation.to_json_dict()
        assert (json["placing"], json["placing_detail"]) == ("none", "positions only: no route")
        view = ViewContext(
            feed_label="racecenter",
            feed=FeedStatus(state="live", at=T0),
            data_age_s=2.0,
        )
        shown = feed_status_line(view, situation).plain
        assert shown == "racecenter: positions only: no route · data 2 s old"
        assert "live" not in shown
        assert feed_status_line(view).plain == "racecenter: ● live 2 s"


def test_a_route_sent_later_places_the_riders_from_then_on() -> None:
    # The start list first without its route (fetched later), then again with it.
    with_route = OUT_AND_BACK.stage()
    race = Race(engine_settings())
    race.apply(StartList(stage=start_list(4, distance=with_route.distance_km).stage))
    stream = list(_frames(OUT_AND_BACK, {1: 2.0, 2: 1.95, 3: 1.9, 4: 1.85}, 4.0))
    for frame, _ in stream[:10]:
        situation = race.apply(frame)
    assert (situation.placing, situation.riders_tracked) == ("none", 0)
    race.apply(StartList(stage=with_route))
    for frame, _ in stream[10:]:
        situation = race.apply(frame)
    assert situation.placing == "gps"
    assert situation.race_state == "racing"
    assert situation.riders_tracked == 4
    assert situation.head_km_to_finish == pytest.approx(
        with_route.distance_km - max(stream[-1][1].values()), abs=0.02
    )


def test_no_distances_nor_positions_is_said_too() -> None:
    situation = _race_over(OUT_AND_BACK.stage(), [RiderFix(bib=1, speed_kmh=40.0)])
    assert (situation.placing, situation.placing_detail) == (
        "none",
        "no distances or positions in the feed",
    )


def test_fixes_off_the_route_stay_unknown() -> None:
    # The start village, 200 km away: no km to go, and the race does not start from there.
    far = [RiderFix(bib=b, lat=LAT0 + 1.8, lon=0.5, speed_kmh=30.0) for b in (1, 2, 3)]
    situation = _race_over(OUT_AND_BACK.stage(), far)
    assert (situation.placing, situation.placing_detail) == ("gps", "riders off the route")
    assert situation.race_state_detail == "riders off the route"
    assert situation.riders_tracked == 0


def test_the_feeds_km_to_go_is_kept() -> None:
    stage = OUT_AND_BACK.stage()
    lat, lon = OUT_AND_BACK.at(5.0)
    frame = Telemetry(
        t=T0, riders=(RiderFix(bib=1, km_to_finish=12.34, lat=lat, lon=lon, speed_kmh=KMH),)
    )
    placer = GpsPlacer()
    assert placer.place(frame, stage) is frame
    assert (placer.source, placer.detail) == ("feed", "")


def test_a_rider_missing_from_the_last_frames_with_distances_keeps_his_place_from_them() -> None:
    # On the way back (14 km from the start, also 6 km out): the feed's km to go, then a frame
    # without rider 2, then rider 2 alone without km to go. Only his own last place says
    # which passage he is on (no field, no schedule: the first passage would be the wrong one).
    stage = OUT_AND_BACK.stage(scheduled=False)
    placer = GpsPlacer()
    start = {1: 14.0, 2: 14.1}

    def fix(bib: int, t: float, *, km_given: bool) -> RiderFix:
        km = start[bib] + KMH * t / 3600.0
        lat, lon = OUT_AND_BACK.at(km)
        given = stage.distance_km - km if km_given else None
        return RiderFix(bib=bib, km_to_finish=given, lat=lat, lon=lon, speed_kmh=KMH)

    for step in range(3):
        t = step * STEP_S
        frame = Telemetry(t=T0 + t, riders=(fix(1, t, km_given=True), fix(2, t, km_given=True)))
        assert placer.place(frame, stage) is frame
    t = 3 * STEP_S
    placer.place(Telemetry(t=T0 + t, riders=(fix(1, t, km_given=True),)), stage)
    t = 4 * STEP_S
    alone = placer.place(Telemetry(t=T0 + t, riders=(fix(2, t, km_given=False),)), stage)
    assert _placed(alone, stage.distance_km)[2] == pytest.approx(14.1 + KMH * t / 3600, abs=0.01)
    assert (placer.source, placer.detail) == ("gps", "1 riders placed from GPS")


# --- Real and simulated stages without distances -----------------------------------------------


@dataclass
class Run:
    """One pass of the engine: the situations of the group-frames (from the real start to the
    winner's finish, as `tests.support.robustness` counts them) by feed time, and the last."""

    situations: dict[float, Situation]
    last: Situation


def _run(events: Iterable[FeedEvent]) -> Run:
    race = Race(engine_settings())
    situations: dict[float, Situation] = {}
    for event in events:
        situation = race.apply(event)
        if (
            isinstance(event, Telemetry)
            and not situation.winner_finished
            and situation.race_time_s is not None
        ):
            situations[event.t] = situation
    return Run(situations, race.situation)


@dataclass(frozen=True)
class Agreement:
    group_frames: int
    matched: int
    """Group-frames within `GAP_S` of the untouched run's gap of the group holding their first
    rider at the same instant."""
    unmatched_frames: int
    """Frames of the run without distances that the untouched run has no situation for."""

    @property
    def share(self) -> float:
        return self.matched / self.group_frames if self.group_frames else 0.0


def _agreement(run: Run, untouched: dict[float, Situation]) -> Agreement:
    group_frames = matched = unmatched = 0
    for t, situation in run.situations.items():
        reference = untouched.get(t)
        if reference is None:
            unmatched += 1
            continue
        for group in situation.groups:
            first = group.riders[0]
            same = next((g for g in reference.groups if first in g.riders), None)
            group_frames += 1
            if same is not None and abs(group.gap_s - same.gap_s) <= GAP_S:
                matched += 1
    return Agreement(group_frames, matched, unmatched)


@cache
def _pau() -> tuple[Run, Run]:
    """The Pau stage untouched, and without `kmToFinish` and `secToFirstRider`."""
    return _run(recording()), _run(without_distances(recording()))


@needs_stage_5
@pytest.mark.slow
def test_pau_without_distances_gives_the_gaps_and_winner_of_the_untouched_run() -> None:
    untouched, placed = _pau()
    agreement = _agreement(placed, untouched.situations)
    winner_delta = _race_time(placed.last) - _race_time(untouched.last)
    print(
        f"\nPau without distances: {agreement.matched}/{agreement.group_frames} group-frames "
        f"({agreement.share:.1%}) within {GAP_S:g} s of the untouched run; winner "
        f"#{placed.last.winner} (untouched #{untouched.last.winner}), time Δ {winner_delta:+.1f} s"
    )
    assert placed.last.placing == "gps"
    assert untouched.last.placing == "feed"
    assert agreement.unmatched_frames == 0
    assert agreement.group_frames >= 0.9 * sum(len(s.groups) for s in untouched.situations.values())
    assert agreement.share >= SHARE
    assert placed.last.winner == untouched.last.winner
    assert abs(winner_delta) <= WINNER_S
    assert placed.last.riders_tracked == untouched.last.riders_tracked


def _race_time(situation: Situation) -> float:
    assert situation.winner_t is not None
    assert situation.start_t is not None
    return situation.winner_t - situation.start_t


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["flat", "mountain"])
def test_a_simulated_stage_without_distances_gives_the_same_gaps(scenario: str) -> None:
    untouched = dict(stage_run(scenario).situations)
    placed = _run(without_distances(stage_events(scenario)))
    agreement = _agreement(placed, untouched)
    reference = stage_run(scenario).last
    assert reference is not None
    print(
        f"\n{scenario} without distances: {agreement.matched}/{agreement.group_frames} "
        f"({agreement.share:.1%}) within {GAP_S:g} s; winner #{placed.last.winner} "
        f"(untouched #{reference.winner}, {placed.last.winner_basis})"
    )
    assert agreement.unmatched_frames == 0
    assert agreement.share >= SHARE
    assert abs(_race_time(placed.last) - _race_time(reference)) <= WINNER_S
    # Only a photo finish the positions cannot decide may change the winner (GPS places two
    # riders 3 m apart where the feed's 10 m steps put them level), and it is said.
    assert placed.last.winner == reference.winner or not placed.last.winner_sure
