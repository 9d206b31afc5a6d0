"""The engine on any frames the models accept (riders missing, null or odd distances, holes,
repeats, instants split in two, finish flags): the situation stays consistent, and the same
frame twice changes nothing.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from race.engine import Race
from race.models import RiderFix, Telemetry
from race.settings import EngineSettings
from race.situation import Situation
from tests.support.frames import DISTANCE, T0, start_list

BIBS = st.integers(min_value=1, max_value=40)


KM = st.one_of(
    st.none(),
    st.floats(min_value=-1.0, max_value=DISTANCE + 5),
    st.just(0.0),
    st.sampled_from([math.nan, math.inf]),
)


@st.composite
def frames(draw: st.DrawFn) -> list[Telemetry]:
    """Frames the models accept: riders missing, null or odd distances, holes, repeats,
    instants split in two, finish flags, GPS fixes or none."""
    count = draw(st.integers(min_value=1, max_value=25))
    out: list[Telemetry] = []
    t = T0
    riders = draw(st.lists(BIBS, min_size=1, max_size=25, unique=True))
    base = {b: draw(st.floats(min_value=0.0, max_value=DISTANCE)) for b in riders}
    for _ in range(count):
        t += draw(st.sampled_from([0.0, 5.0, 6.0, 6.0, 36.0, 60.0, 570.0, -6.0]))
        present = draw(st.lists(st.sampled_from(riders), unique=True, max_size=len(riders)))
        fixes = []
        for bib in present:
            base[bib] = max(0.0, base[bib] - draw(st.floats(min_value=-0.2, max_value=1.5)))
            km = draw(st.one_of(st.just(round(base[bib], 2)), KM))
            fixes.append(
                RiderFix(
                    bib=bib,
                    km_to_finish=km,
                    speed_kmh=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=90))),
                    lat=draw(st.one_of(st.none(), st.floats(min_value=42, max_value=44))),
                    lon=draw(st.one_of(st.none(), st.floats(min_value=-1, max_value=1))),
                    finished=draw(st.booleans()) and km is not None and km < 0.1,
                )
            )
        out.append(Telemetry(t=t, riders=tuple(fixes)))
    return out


def check(situation: Situation) -> None:
    riders = [b for g in situation.groups for b in g.riders]
    assert len(riders) == len(set(riders)), "a rider in two groups"
    assert len(riders) == situation.riders_tracked
    assert all(g.riders for g in situation.groups)
    assert len({g.id for g in situation.groups}) == len(situation.groups)
    gaps = [g.gap_s for g in situation.groups]
    assert all(g >= 0 for g in gaps)
    finished = [g for g in situation.groups if g.finished]
    road = [g for g in situation.groups if not g.finished]
    assert situation.groups[: len(finished)] == tuple(finished), "finished groups first"
    for part in (finished, road):
        assert [g.gap_s for g in part] == sorted(g.gap_s for g in part)
    # Front to back on the road is front to back in time.
    assert [g.km_to_finish for g in road] == sorted(g.km_to_finish for g in road)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.sampled_from(["flat", "itt"]))
def test_any_frames_give_a_consistent_situation(stream: list[Telemetry], kind: str) -> None:
    race = Race(EngineSettings())
    race.apply(start_list(riders=40, stage_type=kind))
    for telemetry in stream:
        situation = race.apply(telemetry)
        if kind == "flat":
            check(situation)
        else:
            assert all(g.size == 1 for g in situation.groups)
        # The same frame again changes nothing about who is in which group.
        again = race.apply(telemetry)
        assert [(g.id, g.riders) for g in again.groups] == [
            (g.id, g.riders) for g in situation.groups
        ]
