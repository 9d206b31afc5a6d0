"""What the riders are placed from, and the placing said: the feed's own km to go kept, GPS on
the route, or nothing to place them with (no route, no positions, fixes off the route) and
the header never saying live then.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from race.engine import Race
from race.models import FeedStatus, RiderFix, Stage, StartList, Telemetry
from race.situation import Situation
from race.tracking.gps import GpsPlacer
from tests.support.frames import T0, start_list
from tests.support.gps_courses import KMH, LAT0, OUT_AND_BACK, STEP_S, _fix, _frames, _placed
from tests.support.stages import engine_settings
from tui.panels.header import feed_status_line
from tui.panels.view import ViewContext


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
    assert (placer.source, placer.detail) == ("gps", "1 rider placed from GPS")
