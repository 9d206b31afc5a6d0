"""Random sequences of real feeds' quirks on a short made-up stage: whatever the feed does, the
engine raises nothing, every gap it shows is finite and non-negative (an unknown gap is left
out, never 0 or infinite), and no time-limit status is better than its margin allows."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feeds.quirks import (
    NUMERIC_FIELDS,
    BadNumber,
    Cadence,
    CoarseKm,
    Freeze,
    FutureFrame,
    Ghost,
    KmOffset,
    Milliseconds,
    PreStart,
    PreviousStage,
    Quirk,
    Relay,
    Resync,
    ShiftDay,
    Speeds,
    Stuck,
    Thin,
    Vanish,
    apply_quirks,
)
from race.engine import Race
from race.models import FeedEvent, ProfilePoint, Rider, RiderFix, Stage, StartList, Telemetry
from race.situation import Situation
from race.timelimit.status import SEVERITY, status_for
from race.tracking.geometry import KM_PER_DEGREE
from tests.support.stages import engine_settings

T0 = 1_800_000_000.0
DISTANCE = 32.0
FIRST_KM = 30.0
KMH = 45.0
RIDERS = {1: (0.0, KMH)}  # a break
RIDERS |= {b: (60.0, KMH) for b in range(2, 32)}  # the bunch, a minute down
RIDERS |= {b: (180.0, KMH) for b in range(32, 37)}  # a group, three minutes down
RIDERS |= {b: (180.0, 36.0) for b in range(37, 41)}  # stragglers, losing time


def stage() -> list[FeedEvent]:
    """A break, a bunch, a group and stragglers over the last 30 km of a 32 km stage, one frame
    every 6 s from 2 km in until the last rider is on the line."""
    profile = tuple(
        ProfilePoint(km=k / 2, altitude_m=100.0, lat=43 + k / 2 / KM_PER_DEGREE, lon=0.0)
        for k in range(int(DISTANCE * 2) + 1)
    )
    events: list[FeedEvent] = [
        StartList(
            stage=Stage(
                race="Test",
                year=2026,
                number=1,
                distance_km=DISTANCE,
                type="hilly",
                coefficient=1,
                scheduled_start=T0 - 160,
                profile=profile,
            ),
            riders=tuple(
                Rider(bib=b, first_name="A", last_name=f"R{b}", team=f"T{b % 8}") for b in RIDERS
            ),
        )
    ]
    step = 0
    while True:
        t = T0 + 6 * step
        fixes = []
        for bib, (delay, kmh) in RIDERS.items():
            km = max(0.0, FIRST_KM - kmh * max(0.0, 6 * step - delay) / 3600)
            fixes.append(
                RiderFix(
                    bib=bib,
                    km_to_finish=round(km, 2),
                    lat=43 + (DISTANCE - km) / KM_PER_DEGREE,
                    lon=0.0,
                    speed_kmh=kmh,
                    finished=km == 0.0,
                )
            )
        events.append(Telemetry(t=t, riders=tuple(fixes)))
        if all(f.finished for f in fixes):
            return events
        step += 1


STAGE = stage()
pytestmark = pytest.mark.slow  # Hundreds of frames per example.
EXPLORING = "ARDOISE_QUIRK_EXAMPLES" in os.environ
"""Run from `bench/quirk_properties.py`: as many combinations as asked, from a random start.
The suite tries the same few every run (a combination found failing is added as an
`example`), so that a run fails on a change, not on the draw."""
EXAMPLES = int(os.environ.get("ARDOISE_QUIRK_EXAMPLES", "40"))
"""Combinations of quirks tried per run (each is a whole stage)."""
AT_KM = st.floats(min_value=1.0, max_value=29.0)
QUIRKS: st.SearchStrategy[Quirk] = st.one_of(
    st.builds(
        PreStart,
        duration_s=st.floats(min_value=60, max_value=3600),
        km_to_finish=st.sampled_from([0.0, 12.4, "distance"]),
        absent_share=st.floats(min_value=0, max_value=0.5),
        hole_s=st.sampled_from([0.0, 570.0]),
    ),
    st.builds(PreviousStage),
    st.builds(Cadence),
    st.builds(Vanish, at_km_to_finish=AT_KM, bib=st.sampled_from([None, 1])),  # 1: the head
    st.builds(
        Freeze,
        duration_s=st.floats(min_value=6, max_value=1800),
        at_km_to_finish=AT_KM,
        bib=st.sampled_from([None, 1]),
    ),
    st.builds(
        Stuck,
        duration_s=st.floats(min_value=6, max_value=600),
        at_km_to_finish=AT_KM,
        bib=st.sampled_from([None, 1]),
    ),
    st.builds(
        Ghost,
        km=st.floats(min_value=0.5, max_value=8),
        direction=st.sampled_from(["ahead", "behind"]),
        at_km_to_finish=AT_KM,
        bib=st.sampled_from([None, 1]),
    ),
    st.builds(Resync, km=st.floats(min_value=0.3, max_value=3), at_km_to_finish=AT_KM),
    st.integers(min_value=1, max_value=5).flatmap(
        lambda frames: st.builds(
            Thin,
            riders=st.integers(min_value=1, max_value=30),
            which=st.sampled_from(["front", "any"]),
            frames=st.just(frames),
            every_frames=st.integers(min_value=frames + 1, max_value=60),
        )
    ),
    st.builds(FutureFrame, at_km_to_finish=AT_KM),
    st.builds(Milliseconds, at_km_to_finish=AT_KM),
    st.builds(
        BadNumber,
        field=st.sampled_from(NUMERIC_FIELDS),
        value=st.sampled_from([math.nan, math.inf, -math.inf, 1e308]),
        riders=st.sampled_from([3, 200]),  # 200: nobody in the frame is usable
        at_km_to_finish=AT_KM,
    ),
    st.builds(Speeds, factor=st.sampled_from([0.0, 1 / 3.6, 2.0])),
    st.builds(
        CoarseKm,
        step_km=st.sampled_from([0.1, 0.2, 0.5, 1.0]),
        how=st.sampled_from(["round", "down"]),
        at_km_to_finish=st.floats(min_value=0.5, max_value=DISTANCE),
    ),
    st.builds(
        KmOffset,
        offset_km=st.sampled_from([-0.5, 0.8, 3.0]),
        riders=st.integers(min_value=1, max_value=10),
        which=st.sampled_from(["front", "any"]),
        at_km_to_finish=AT_KM,
    ),
    st.builds(ShiftDay),
    st.builds(Relay),
)


def situations(quirks: list[Quirk], seed: int) -> Iterator[Situation]:
    race = Race(engine_settings())
    for event in apply_quirks(STAGE, quirks, seed):
        yield race.apply(event)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not EXPLORING,
)
@given(quirks=st.lists(QUIRKS, max_size=4), seed=st.integers(0, 1000))
# A feed turning to 1 km steps 3 km out: its first coarse frames, before the step was known,
# took the bunch's rounded km for offsets from their GPS (a bunch rider won).
@example(
    quirks=[
        PreStart(duration_s=60.0, km_to_finish=0.0, absent_share=0.0, hole_s=0.0),
        CoarseKm(step_km=1.0, how="round", at_km_to_finish=3.0),
    ],
    seed=0,
)
# The head's km to go sent 3 km back 1 km out: looked for no further than 2 km from it, his
# fix was not found; the bunch won, the head outside the time limit.
@example(
    quirks=[
        PreStart(duration_s=60.0, km_to_finish=0.0, absent_share=0.0, hole_s=0.0),
        KmOffset(offset_km=3.0, riders=1, which="front", at_km_to_finish=1.0),
    ],
    seed=0,
)
# The same sent back in a hole of the feed: his jump measured from his last km to go, not from
# where his speed put him, did not match his fix's offset.
@example(
    quirks=[
        Cadence(),
        PreStart(duration_s=60.0, km_to_finish=0.0, absent_share=0.0, hole_s=0.0),
        KmOffset(offset_km=3.0, riders=1, which="front", at_km_to_finish=1.5),
    ],
    seed=0,
)
# The head's km sent 800 m back onto a round 27.5 km: taken for a value a coarse step may have
# rounded, it was not judged; behind the bunch's front, no longer checked each frame.
@example(quirks=[KmOffset(offset_km=0.8, riders=1, which="front", at_km_to_finish=26.8125)], seed=0)
# The head's km stuck (found off), then in 100 m steps (never judged, so never found back),
# then sent 3 km back: looked for near his old place, his fix was not found.
@example(
    quirks=[
        Stuck(duration_s=560.3240799203363, at_km_to_finish=21.538539949066806, bib=1),
        CoarseKm(step_km=0.1, how="round", at_km_to_finish=16.733743685935966),
        KmOffset(offset_km=3.0, riders=1, which="front", at_km_to_finish=1.0),
    ],
    seed=0,
)
# The bunch's front five sent 500 m ahead twice in the last 1.25 km (a wrong winner while a
# rider with no fresh deviation of his own was only noted at his check).
@example(
    quirks=[
        KmOffset(offset_km=-0.5, riders=5, which="front", at_km_to_finish=1.25),
        KmOffset(offset_km=-0.5, riders=5, which="front", at_km_to_finish=1.0),
    ],
    seed=0,
)
# A km to go of 1e308, then km to go in 100 m steps: the quirk itself raised (infinite steps).
@example(
    quirks=[
        BadNumber(field="km_to_finish", value=1e308, riders=3, at_km_to_finish=1.0),
        CoarseKm(step_km=0.1, how="down", at_km_to_finish=1.0),
    ],
    seed=0,
)
def test_no_quirk_makes_a_wrong_number(quirks: list[Quirk], seed: int) -> None:
    limits = engine_settings().time_limit
    tight, danger = limits.tight_margin_s, limits.danger_margin_s
    last: Situation | None = None
    for situation in situations(quirks, seed):
        last = situation
        for group in situation.groups:
            assert math.isfinite(group.gap_s)
            assert group.gap_s >= 0
            ahead = group.gap_to_ahead_s
            assert ahead is None or (math.isfinite(ahead) and ahead >= 0)
        for limit in situation.time_limit.groups:
            assert math.isfinite(limit.margin_s)
            allowed = SEVERITY[status_for(limit.margin_s, tight, danger)]
            # A worse status waits one frame to be confirmed: at most one step better meanwhile.
            assert SEVERITY[limit.status] >= allowed - 1
            assert limit.status != "safe" or limit.margin_s >= 0
        for rider in situation.time_limit.riders:
            if rider.margin_s is not None:
                assert (
                    SEVERITY[rider.status]
                    >= SEVERITY[status_for(rider.margin_s, tight, danger)] - 1
                )
    assert last is not None
    assert last.race_state in ("finishing", "finished")
    # The lone leader lost by the feed over the line (from more than the last km, where his
    # finish is extrapolated), or held by it short of the line until he had crossed it (his
    # last fix sent again; 60 km/h: faster than he rides), and found again after the bunch
    # has crossed it: no data says he won. A known limit, not checked here.
    lost_over_the_line = any(
        (isinstance(q, Vanish) and q.bib == 1 and (q.at_km_to_finish or 0.0) <= 2.5)
        or (
            isinstance(q, Freeze | Stuck)
            and q.bib == 1
            and (q.at_km_to_finish or 0.0) <= q.duration_s * 60.0 / 3600.0
        )
        for q in quirks
    )
    assert last.winner == 1 or lost_over_the_line
