"""The quirks of real feeds (`feeds.quirks`): each does exactly what it says on a small synthetic
stage (`tests.support.quirk_stage`), they are seeded, and together they never reorder the frames
they leave alone. Where they are used: `test_quirks_in_use.py`.
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.quirks import (
    NUMERIC_FIELDS,
    QUIRK,
    BadNumber,
    Cadence,
    CoarseKm,
    Freeze,
    FutureFrame,
    Ghost,
    KmOffset,
    Milliseconds,
    NumericField,
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
from feeds.quirks.base import placed
from race.models import StartList, Telemetry
from race.tracking.geometry import RouteLine, ground_km, haversine_km
from tests.support.quirk_stage import (
    DISTANCE_KM,
    RIDERS,
    T0,
    bibs,
    differing,
    fix_of,
    frames,
    run,
    synthetic,
)

# --- each quirk on the synthetic stage -----------------------------------------------------------


def test_no_quirk_changes_nothing() -> None:
    events = synthetic()
    out, stream = run(events)
    assert out == events
    assert stream.facts == []


@pytest.mark.parametrize("km", [12.4, 0.0, "distance"])
def test_pre_start_stretch(km: float | str) -> None:
    events = synthetic()
    quirk = QUIRK.validate_python({"kind": "pre_start", "km_to_finish": km})
    out, stream = run(events, quirk)
    facts = stream.facts[0]
    added = frames(out)[: len(facts.added)]
    assert out[0] == events[0]
    assert out[len(facts.added) + 1 :] == events[1:]  # The stream itself is untouched.
    expected_km = DISTANCE_KM if km == "distance" else km
    assert facts.km_to_finish == expected_km
    assert [f.t for f in added] == facts.added
    assert added[-1].t == T0 - 6
    assert added[0].t == T0 - 1800
    holes = [b.t - a.t for a, b in itertools.pairwise(added)]
    assert max(holes) >= 570
    assert max(holes) <= 570 + 6
    assert sorted(h for h in holes if h != 6) == [max(holes)]
    assert len(facts.absent) == round(0.2 * RIDERS)
    start = (43.0, 0.0)
    for frame in added:
        assert {f.bib for f in frame.riders} == set(bibs()) - set(facts.absent)
        for fix in frame.riders:
            assert fix.km_to_finish == expected_km
            assert fix.feed_gap_s is None
            assert fix.speed_kmh is not None
            assert 0 <= fix.speed_kmh <= 3
            assert fix.lat is not None
            assert fix.lon is not None
            assert 199 < haversine_km(*start, fix.lat, fix.lon) < 201


def test_previous_stage_frame_comes_first() -> None:
    events = synthetic()
    out, stream = run(events, PreviousStage())
    snapshot = out[1]
    assert isinstance(snapshot, Telemetry)
    assert out[2:] == events[1:]
    assert stream.facts[0].added == [snapshot.t]
    assert {f.bib for f in snapshot.riders} == set(bibs())
    assert all(f.km_to_finish == 0 and f.finished for f in snapshot.riders)
    local = datetime.fromtimestamp(snapshot.t, ZoneInfo("Europe/Paris"))
    first = datetime.fromtimestamp(T0, ZoneInfo("Europe/Paris"))
    assert (first.date() - local.date()).days == 1
    assert (local.hour, local.minute) == (19, 0)


@pytest.mark.parametrize(("direction", "sign"), [("ahead", -1), ("behind", 1)])
def test_ghost_is_one_fix_kilometres_away_on_the_route(direction: str, sign: int) -> None:
    events = synthetic()
    quirk = QUIRK.validate_python({"kind": "ghost", "direction": direction, "km": 5})
    out, stream = run(events, quirk)
    facts = stream.facts[0]
    changed = differing(frames(events), frames(out))
    assert changed == [(facts.changed[0], facts.bibs[0])]
    frame = next(f for f in frames(out) if f.t == facts.changed[0])
    ghost = fix_of(frame, facts.bibs[0])
    true = fix_of(next(f for f in frames(events) if f.t == frame.t), facts.bibs[0])
    assert ghost is not None
    assert true is not None
    assert true.km_to_finish is not None
    assert ghost.km_to_finish == pytest.approx(true.km_to_finish + sign * 5)
    assert (facts.km_to_finish, facts.true_km_to_finish) == (ghost.km_to_finish, true.km_to_finish)
    # The fix agrees with the km: projected on the route, it is where the feed says.
    start = next(e for e in events if isinstance(e, StartList)).stage
    line = RouteLine(start.profile, start.distance_km)
    assert ghost.lat is not None
    assert ghost.lon is not None
    assert ghost.km_to_finish is not None
    assert line.km_to_finish(ghost.lat, ghost.lon, ghost.km_to_finish) == pytest.approx(
        ghost.km_to_finish, abs=0.01
    )
    # It strikes halfway, and never on the first rider on the road.
    assert min(f.km_to_finish or 99 for f in frame.riders if f.bib != ghost.bib) <= 15
    assert facts.bibs[0] != 1


def test_ghost_without_a_route_moves_along_the_riders_heading() -> None:
    events = synthetic(route=False)
    out, stream = run(events, Ghost(km=3, bib=5))
    facts = stream.facts[0]
    assert facts.bibs == [5]
    frame = next(f for f in frames(out) if f.t == facts.changed[0])
    true = fix_of(next(f for f in frames(events) if f.t == frame.t), 5)
    ghost = fix_of(frame, 5)
    assert ghost is not None
    assert true is not None
    assert ghost.lat is not None
    assert ghost.lon is not None
    assert true.lat is not None
    assert true.lon is not None
    assert ground_km(true.lat, true.lon, ghost.lat, ghost.lon) == pytest.approx(3, abs=0.01)
    assert ghost.lat > true.lat  # Northwards: the way he rides.
    assert ghost.lon == pytest.approx(true.lon)


def test_resync_moves_a_rider_back_for_good() -> None:
    events = synthetic()
    out, stream = run(events, Resync(km=1))
    facts = stream.facts[0]
    bib = facts.bibs[0]
    changed = differing(frames(events), frames(out))
    assert {b for _, b in changed} == {bib}
    assert [t for t, _ in changed] == facts.changed
    first = facts.changed[0]
    assert facts.changed == [f.t for f in frames(events) if f.t >= first]
    for old, new in zip(frames(events), frames(out), strict=True):
        if old.t < first:
            continue
        a, b = fix_of(old, bib), fix_of(new, bib)
        assert a is not None
        assert b is not None
        assert a.km_to_finish is not None
        assert b.km_to_finish == pytest.approx(a.km_to_finish + 1)
        assert b.feed_gap_s is None  # No true value can be made for where he is now.


def test_vanish_leaves_a_rider_out_for_150_s() -> None:
    events = synthetic()
    out, stream = run(events, Vanish())
    facts = stream.facts[0]
    bib = facts.bibs[0]
    gone = [f.t for f in frames(out) if fix_of(f, bib) is None]
    assert gone == facts.removed
    assert gone[-1] - gone[0] == 144  # Frames every 6 s: 25 of them within 150 s.
    assert len(gone) == 25
    for old, new in zip(frames(events), frames(out), strict=True):
        assert [f for f in old.riders if f.bib != bib] == list(
            f for f in new.riders if f.bib != bib
        )


def test_freeze_sends_a_riders_last_fix_again_for_a_while() -> None:
    events = synthetic()
    out, stream = run(events, Freeze(duration_s=60.0))
    facts = stream.facts[0]
    bib = facts.bibs[0]
    pairs = list(zip(frames(events), frames(out), strict=True))
    first = next(i for i, (old, new) in enumerate(pairs) if new.t == facts.changed[0]) - 1
    frozen = fix_of(pairs[first][1], bib)
    assert frozen is not None
    assert frozen == fix_of(pairs[first][0], bib)  # Where he was when it froze.
    again = [new.t for old, new in pairs if fix_of(new, bib) == frozen and new is not old]
    assert again == facts.changed
    assert len(again) == 9  # Frames every 6 s after the one it froze at, within 60 s.
    for old, new in pairs:
        assert [f for f in old.riders if f.bib != bib] == [f for f in new.riders if f.bib != bib]
        if new.t > facts.changed[-1]:
            assert fix_of(new, bib) == fix_of(old, bib)  # His own fixes again.


def test_stuck_keeps_a_riders_km_to_go_while_the_rest_of_his_fix_goes_on() -> None:
    events = synthetic()
    out, stream = run(events, Stuck(duration_s=60.0))
    facts = stream.facts[0]
    bib = facts.bibs[0]
    pairs = list(zip(frames(events), frames(out), strict=True))
    changed = [new.t for old, new in pairs if new is not old]
    assert changed == facts.changed
    assert len(changed) == 9  # Frames every 6 s after the one it stuck at, within 60 s.
    for old, new in pairs:
        assert [f for f in old.riders if f.bib != bib] == [f for f in new.riders if f.bib != bib]
        mine, real = fix_of(new, bib), fix_of(old, bib)
        assert mine is not None
        assert real is not None
        if new.t in changed:
            assert mine.km_to_finish == facts.km_to_finish != real.km_to_finish
            assert mine.model_copy(update={"km_to_finish": real.km_to_finish}) == real
        else:
            assert mine == real  # Before, and his own fixes again after.


def test_speeds_multiplies_every_speed_and_nothing_else() -> None:
    events = synthetic()
    out, stream = run(events, Speeds(factor=0.5))
    assert stream.facts[0].changed == [f.t for f in frames(events) if f.riders]
    for old, new in zip(frames(events), frames(out), strict=True):
        for before, after in zip(old.riders, new.riders, strict=True):
            if before.speed_kmh is None:
                assert after == before
            else:
                assert after.speed_kmh == before.speed_kmh * 0.5
                assert after.model_copy(update={"speed_kmh": before.speed_kmh}) == before


@pytest.mark.parametrize("how", ["round", "down"])
def test_coarse_km_puts_every_km_to_go_on_its_step_from_where_it_strikes(how: str) -> None:
    events = synthetic()
    out, stream = run(events, CoarseKm(at_km_to_finish=20.0, step_km=0.1, how=how))
    changed = set(stream.facts[0].changed)
    assert changed
    for old, new in zip(frames(events), frames(out), strict=True):
        if old.t not in changed:
            assert new == old
            continue
        for before, after in zip(old.riders, new.riders, strict=True):
            assert after.model_copy(update={"km_to_finish": before.km_to_finish}) == before
            if before.km_to_finish is None:
                continue
            assert after.km_to_finish is not None
            assert after.km_to_finish * 10 == pytest.approx(round(after.km_to_finish * 10))
            moved = after.km_to_finish - before.km_to_finish
            assert (-0.05 - 1e-9 <= moved <= 0.05 + 1e-9) if how == "round" else -0.1 < moved <= 0


@pytest.mark.parametrize("how", ["round", "down"])
def test_coarse_km_leaves_a_km_no_step_holds_as_it_was(how: str) -> None:
    """A km to go of 1e308 (a bad number before it) is infinite in steps: left as sent, for the
    engine to drop, not a crash of the feed."""
    events = synthetic()
    bad = BadNumber(field="km_to_finish", value=1e308, riders=3, at_km_to_finish=20.0)
    out, _ = run(events, bad, CoarseKm(at_km_to_finish=20.0, step_km=0.1, how=how))
    assert any(fix.km_to_finish == 1e308 for frame in frames(out) for fix in frame.riders)


def test_km_offset_sends_the_first_riders_km_back_for_a_while() -> None:
    events = synthetic()
    out, stream = run(events, KmOffset(at_km_to_finish=20.0, riders=2, duration_s=120.0))
    facts = stream.facts[0]
    assert len(facts.bibs) == 2
    changed = set(facts.changed)
    assert changed
    assert max(changed) - min(changed) < 120.0
    first = frames(events)[[f.t for f in frames(events)].index(min(changed))]
    assert sorted(facts.bibs) == sorted(fix.bib for fix in placed(first)[:2])
    for old, new in zip(frames(events), frames(out), strict=True):
        for before, after in zip(old.riders, new.riders, strict=True):
            if old.t in changed and before.bib in facts.bibs and (before.km_to_finish or 0.0) > 0:
                assert after.km_to_finish == pytest.approx((before.km_to_finish or 0.0) + 0.8)
                assert (after.lat, after.lon) == (before.lat, before.lon)
            else:
                assert after == before


@pytest.mark.parametrize("which", ["front", "any"])
def test_thin_frames_carry_part_of_the_field(which: str) -> None:
    events = synthetic()
    out, stream = run(events, Thin(riders=4, which=which, frames=2, every_frames=5))
    facts = stream.facts[0]
    pairs = list(zip(frames(events), frames(out), strict=True))
    thin = [new.t for old, new in pairs if len(new.riders) < len(old.riders)]
    assert thin == facts.changed
    assert len(thin) == 2 * math.ceil(len(pairs) / 5) - (len(pairs) % 5 == 1)
    for index, (old, new) in enumerate(pairs):
        if index % 5 >= 2:
            assert new == old
            continue
        assert len(new.riders) == 4
        assert all(fix in old.riders for fix in new.riders)  # Those kept are as they were.
        if which == "front":
            road = sorted(old.riders, key=lambda fix: (fix.km_to_finish, fix.bib))
            assert {fix.bib for fix in new.riders} == {fix.bib for fix in road[:4]}
    if which == "any":  # A seeded choice: not always the first four.
        firsts = {frozenset(f.bib for f in new.riders) for old, new in pairs if new != old}
        assert len(firsts) > 1


def test_thin_frames_leave_some_frames_whole() -> None:
    with pytest.raises(ValueError, match="every_frames must be more than frames"):
        Thin(frames=3, every_frames=3)


def test_cadence_makes_runs_and_holes() -> None:
    events = synthetic()
    out, stream = run(events, Cadence(run_s=60, gap_s=36))
    kept = frames(out)
    assert {f.t for f in kept} | set(stream.facts[0].removed) == {f.t for f in frames(events)}
    assert all(f in frames(events) for f in kept)
    holes = [b.t - a.t for a, b in itertools.pairwise(kept)]
    assert set(holes) == {6, 36}
    runs = "".join("r" if h == 6 else "|" for h in holes).split("|")
    assert {len(r) for r in runs[:-1]} == {10}  # 11 frames: 60 s of 6 s frames.


@pytest.mark.parametrize(
    ("quirk", "expected"),
    [(FutureFrame(), lambda t: t + 86400), (Milliseconds(), lambda t: t * 1000)],
)
def test_one_frame_retimed(quirk: Quirk, expected: object) -> None:
    events = synthetic()
    out, stream = run(events, quirk)
    facts = stream.facts[0]
    assert callable(expected)
    assert facts.changed == [expected(facts.original_times[0])]
    retimed = [(a.t, b.t) for a, b in zip(frames(events), frames(out), strict=True) if a != b]
    assert retimed == [(facts.original_times[0], facts.changed[0])]
    assert differing(frames(events), frames(out)) == []


@pytest.mark.parametrize("field", NUMERIC_FIELDS)
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308])
def test_bad_number_in_each_field(field: NumericField, value: float) -> None:
    events = synthetic()
    quirk = BadNumber(field=field, value=value, riders=4, frames=3, every_frames=5)
    out, stream = run(events, quirk)
    facts = stream.facts[0]
    same = math.isnan if math.isnan(value) else (lambda x: x == value)
    if field == "t":
        spoilt = [f for f in frames(out) if same(f.t)]
        assert len(spoilt) == 3
        assert facts.bibs == []
        steps = [(t - T0) / 6 for t in facts.original_times]
        assert steps[1] - steps[0] == steps[2] - steps[1] == 5
        assert differing(frames(events), frames(out)) == []
        return
    hits = [
        (frame.t, fix.bib)
        for frame in frames(out)
        for fix in frame.riders
        if isinstance(v := getattr(fix, field), float) and same(v)
    ]
    assert hits == differing(frames(events), frames(out))
    assert len(hits) == 12
    assert {b for _, b in hits} == set(facts.bibs)
    assert sorted({t for t, _ in hits}) == facts.changed


def test_shift_moves_the_whole_stage() -> None:
    events = synthetic()
    out, _ = run(events, ShiftDay())
    start = out[0]
    assert isinstance(start, StartList)
    assert start.stage.scheduled_start == T0 + 86400
    assert [f.t - 86400 for f in frames(out)] == [f.t for f in frames(events)]
    assert differing(frames(events), frames(out)) == []


def test_relay_runs_on_into_the_next_stages() -> None:
    events = synthetic(minutes=5)
    out, stream = run(events, Relay(stages=3))
    starts = [e for e in out if isinstance(e, StartList)]
    assert [s.stage.number for s in starts] == [3, 4, 5]
    assert [s.stage.scheduled_start for s in starts] == [T0, T0 + 86400, T0 + 2 * 86400]
    assert len(out) == 3 * len(events)
    assert out[: len(events)] == events
    assert stream.facts[0].added == [f.t for f in frames(out)[len(frames(events)) :]]
    assert stream.facts[0].offset_s == 86400


# --- quirks together -----------------------------------------------------------------------------


def test_quirks_are_seeded() -> None:
    events = synthetic()
    quirks = (PreStart(), Ghost(), Vanish(), BadNumber())
    assert run(events, *quirks, seed=1)[0] == run(events, *quirks, seed=1)[0]
    assert run(events, *quirks, seed=1)[0] != run(events, *quirks, seed=2)[0]


def test_race_faults_strike_in_the_race_not_in_the_pre_start() -> None:
    events = synthetic()
    _out, stream = run(events, Ghost(at_km_to_finish=12.4), PreStart(km_to_finish=12.4))
    ghost, pre_start = stream.facts
    assert (ghost.kind, pre_start.kind) == ("ghost", "pre_start")
    assert ghost.changed[0] > T0 + 600
    assert all(t < T0 for t in pre_start.added)


QUIRK_DATA = st.sampled_from(
    [
        {"kind": "pre_start", "km_to_finish": 0.0, "hole_s": 0},
        {"kind": "pre_start", "km_to_finish": "distance", "duration_s": 600},
        {"kind": "previous_stage"},
        {"kind": "cadence", "run_s": 30},
        {"kind": "vanish", "duration_s": 60},
        {"kind": "ghost", "direction": "behind"},
        {"kind": "resync", "km": 2},
        {"kind": "future_frame"},
        {"kind": "milliseconds", "at_km_to_finish": 20},
        {"kind": "stuck_clock", "frames": 3},
        {"kind": "neutralised", "duration_s": 120},
        {"kind": "bad_number", "field": "lat", "value": math.inf},
        {"kind": "bad_number", "field": "t"},
        {"kind": "coarse_km", "step_km": 0.5},
        {"kind": "km_offset", "riders": 3, "which": "any"},
    ]
)
SMALL = synthetic(minutes=10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(QUIRK_DATA, max_size=4), st.integers(0, 1000))
def test_quirks_never_reorder_the_frames_they_leave_alone(
    data: list[dict[str, object]], seed: int
) -> None:
    quirks = [QUIRK.validate_python(d) for d in data]
    out = frames(list(apply_quirks(SMALL, quirks, seed)))
    index = {frame.t: i for i, frame in enumerate(frames(SMALL))}
    kept = [index[f.t] for f in out if f.t in index and f == frames(SMALL)[index[f.t]]]
    assert kept == sorted(kept)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([12.4, 0.0, "distance"]),
    st.floats(60, 3600),
    st.floats(0, 1),
    st.integers(0, 1000),
)
def test_pre_start_never_changes_a_racing_frame(
    km: float | str, duration_s: float, absent: float, seed: int
) -> None:
    quirk = QUIRK.validate_python(
        {"kind": "pre_start", "km_to_finish": km, "duration_s": duration_s, "absent_share": absent}
    )
    out = list(apply_quirks(SMALL, [quirk], seed))
    assert [e for e in out if not isinstance(e, Telemetry) or e.t >= T0] == SMALL
    assert all(f.t < T0 for f in frames(out)[: len(out) - len(SMALL)])
