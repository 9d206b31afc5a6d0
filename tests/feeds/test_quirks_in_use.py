"""The quirks where they are used: the simulated feed yields them when configured (a bad quirk
is a configuration error), and the bench's transformations do what they say on the Pau
recording."""

from __future__ import annotations

import asyncio
import itertools
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.quirks import (
    NUMERIC_FIELDS,
    BadNumber,
    FutureFrame,
    Ghost,
    PreStart,
    PreviousStage,
    Quirk,
    QuirkedStream,
)
from feeds.quirks.base import RoutePath
from race.models import FeedEvent, Stage, StartList, Telemetry
from race.tracking.geometry import RouteLine, haversine_km
from tests.support.cli import assert_config_error, run_ardoise, write
from tests.support.quirk_stage import differing, fix_of, frames, run
from tests.support.robustness import SEED as ROBUSTNESS_SEED
from tests.support.robustness import TRANSFORMATIONS, recording
from tests.support.stages import needs_stage_5

# --- the simulated feed ------------------------------------------------------------------------


def simulated(*quirks: Quirk, speed: float = 0, skip_to_km: float | None = None) -> SimulatedFeed:
    return SimulatedFeed(
        SimulatedOptions(cadence_s=60, speed=speed, quirks=quirks, skip_to_km=skip_to_km)
    )


def test_simulated_feed_yields_its_quirks() -> None:
    stream = simulated(PreStart(duration_s=1200), Ghost(km=4)).stage()
    assert isinstance(stream, QuirkedStream)
    events = list(stream)
    pre_start, ghost = stream.facts
    start = next(e for e in events if isinstance(e, StartList))
    first_race_frame = frames(events)[len(pre_start.added)]
    assert [f.t for f in frames(events)[: len(pre_start.added)]] == pre_start.added
    assert len(pre_start.added) == 200 - 94  # 20 min of 6 s frames, less 94 in a 570 s hole.
    assert first_race_frame.t - pre_start.added[-1] == 6
    for frame in frames(events)[: len(pre_start.added)]:
        assert {f.km_to_finish for f in frame.riders} == {12.4}
        assert len(frame.riders) == round(0.8 * len(start.riders))
    assert ghost.bibs
    assert ghost.true_km_to_finish is not None
    assert ghost.km_to_finish == pytest.approx(ghost.true_km_to_finish - 4, abs=0.011)


def test_simulated_feed_without_quirks_is_the_stage_itself() -> None:
    assert not isinstance(simulated().stage(), QuirkedStream)


async def test_paced_feed_does_not_wait_for_a_frame_stamped_yesterday() -> None:
    """Paced on the feed's times, the stream after yesterday's snapshot would wait 18 hours of
    feed time (11 minutes at 100x): it comes at once, then at the pace of its own frames."""
    feed = simulated(PreviousStage(), speed=100)
    seen: list[Telemetry] = []

    async def first_frames() -> None:
        async for event in feed.events():
            if isinstance(event, Telemetry):
                seen.append(event)
                if len(seen) == 3:
                    return

    await asyncio.wait_for(first_frames(), timeout=10)
    snapshot, first, second = seen
    assert all(f.finished for f in snapshot.riders)
    assert first.t - snapshot.t > 12 * 3600
    assert second.t - first.t == 60


async def test_paced_feed_sends_a_frame_stamped_tomorrow_at_once() -> None:
    # Paced from 170.5 km to go (what comes before is sent at once): a few frames of waiting.
    feed = simulated(FutureFrame(at_km_to_finish=170), speed=100, skip_to_km=170.5)
    times: list[float] = []

    async def until_after_the_future_frame() -> None:
        async for event in feed.events():
            if isinstance(event, Telemetry):
                times.append(event.t)
                if len(times) >= 3 and times[-2] - times[-1] > 80000:
                    return

    await asyncio.wait_for(until_after_the_future_frame(), timeout=20)
    assert times[-2] - times[-3] == 86400 + 60


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('quirks = [{ kind = "ghots" }]', "feed.simulated.quirks"),
        ("quirks = [{ km = 3 }]", "feed.simulated.quirks"),
        ('quirks = [{ kind = "ghost", kms = 3 }]', "feed.simulated.quirks.ghost.kms"),
        ('quirks = [{ kind = "ghost", km = -3 }]', "feed.simulated.quirks.ghost.km"),
        ('quirks = [{ kind = "bad_number", field = "bib" }]', "quirks.bad_number.field"),
        ('quirks = [{ kind = "pre_start", km_to_finish = "stage" }]', "quirks.pre_start"),
        ('quirks = { kind = "ghost" }', "feed.simulated.quirks"),
    ],
)
def test_a_bad_quirk_is_a_configuration_error(tmp_path: Path, table: str, key: str) -> None:
    from tui.assembly import build_feed
    from tui.config import ConfigError, load_config

    path = write(tmp_path, f'[feed]\nadapter = "simulated"\n[feed.simulated]\n{table}\n')
    with pytest.raises(ConfigError) as raised:
        build_feed(load_config(path))
    assert raised.value.source == str(path)
    assert raised.value.key is not None
    assert key in raised.value.key


@pytest.mark.slow
def test_a_bad_quirk_stops_the_command_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[feed.simulated]\nquirks = [{ kind = "ghost", direction = "up" }]\n')
    result = run_ardoise("situation", "--config", str(path))
    assert_config_error(result, str(path), "feed.simulated.quirks.ghost.direction")


def test_documented_examples_are_valid() -> None:
    root = Path(__file__).resolve().parents[2]
    config = (root / "config.toml").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    examples = [
        line.removeprefix("#").strip()
        for line in [*config.splitlines(), *readme.splitlines()]
        if line.removeprefix("#").strip().startswith("quirks = [")
    ]
    assert len(examples) == 2
    for example in examples:
        options = SimulatedOptions.model_validate(tomllib.loads(example))
        assert len(options.quirks) == 2


# --- on the Pau recording (the bench's transformations) -----------------------------------------


def pau(name: str) -> tuple[list[FeedEvent], QuirkedStream]:
    return run(recording(), *TRANSFORMATIONS[name].quirks, seed=ROBUSTNESS_SEED)


def pau_start() -> Stage:
    return next(e for e in recording() if isinstance(e, StartList)).stage


def test_the_bench_measures_every_quirk() -> None:
    quirks = [q for case in TRANSFORMATIONS.values() for q in case.quirks]
    assert {q.kind for q in quirks} == {
        "pre_start",
        "previous_stage",
        "cadence",
        "vanish",
        "freeze",
        "stuck",
        "blind",
        "thin",
        "double",
        "ghost",
        "resync",
        "future_frame",
        "milliseconds",
        "stuck_clock",
        "neutralised",
        "bad_number",
        "speeds",
        "coarse_km",
        "km_offset",
        "shift",
        "relay",
    }
    spoilt = {(q.field, repr(q.value)) for q in quirks if isinstance(q, BadNumber)}
    assert spoilt == {(f, v) for f in NUMERIC_FIELDS for v in ("nan", "inf", "-inf", "1e+308")}
    assert next(iter(TRANSFORMATIONS)) == "untouched"


@needs_stage_5
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "km"), [("pre-start-12.4", 12.4), ("pre-start-0", 0.0), ("pre-start-distance", 158.22)]
)
def test_pau_pre_start(name: str, km: float) -> None:
    out, stream = pau(name)
    facts = stream.facts[0]
    first = frames(recording())[0]
    added = frames(out)[: len(facts.added)]
    assert frames(out)[len(added) :] == frames(recording())
    assert first.t - added[0].t == 1800
    riders = next(e for e in recording() if isinstance(e, StartList)).riders
    assert len(facts.absent) == round(0.2 * len(riders))
    start = RoutePath(pau_start()).at(pau_start().distance_km)
    assert start is not None
    for frame in added:
        assert frame.t < first.t
        assert not {f.bib for f in frame.riders} & set(facts.absent)
        for fix in frame.riders:
            assert fix.km_to_finish == km
            assert fix.feed_gap_s is None
            assert fix.lat is not None
            assert fix.lon is not None
            assert 199 < haversine_km(start[0], start[1], fix.lat, fix.lon) < 201


@needs_stage_5
@pytest.mark.slow
@pytest.mark.parametrize(("name", "sign"), [("ghost-ahead", -1), ("ghost-behind", 1)])
def test_pau_ghost(name: str, sign: int) -> None:
    out, stream = pau(name)
    facts = stream.facts[0]
    assert differing(frames(recording()), frames(out)) == [(facts.changed[0], facts.bibs[0])]
    assert facts.true_km_to_finish is not None
    assert facts.km_to_finish == pytest.approx(facts.true_km_to_finish + sign * 5)
    frame = next(f for f in frames(out) if f.t == facts.changed[0])
    ghost = fix_of(frame, facts.bibs[0])
    assert ghost is not None
    assert ghost.lat is not None
    assert ghost.lon is not None
    assert ghost.km_to_finish is not None
    line = RouteLine(pau_start().profile, pau_start().distance_km)
    assert line.km_to_finish(ghost.lat, ghost.lon, ghost.km_to_finish) == pytest.approx(
        ghost.km_to_finish, abs=0.05
    )


@needs_stage_5
@pytest.mark.slow
@pytest.mark.parametrize(("name", "first"), [("double-after", False), ("double-before", True)])
def test_pau_double(name: str, first: bool) -> None:
    """One frame in three gives 5 % of the riders on the road a second fix 2 km behind, with a
    GPS fix that agrees, after or before the live one; the live fixes are untouched."""
    out, stream = pau(name)
    facts = stream.facts[0]
    line = RouteLine(pau_start().profile, pau_start().distance_km)
    doubled = 0
    for old, new in zip(frames(recording()), frames(out), strict=True):
        extra = len(new.riders) - len(old.riders)
        if old.t not in facts.changed:
            assert extra == 0
            continue
        stale = new.riders[:extra] if first else new.riders[len(old.riders) :]
        assert (new.riders[extra:] if first else new.riders[: len(old.riders)]) == old.riders
        doubled += extra
        for fix in stale:
            live = fix_of(old, fix.bib)
            assert live is not None
            assert live.km_to_finish is not None
            assert fix.km_to_finish is not None
            assert fix.km_to_finish == pytest.approx(live.km_to_finish + 2.0)
            assert fix.lat is not None
            assert fix.lon is not None
            assert line.km_to_finish(fix.lat, fix.lon, fix.km_to_finish) == pytest.approx(
                fix.km_to_finish, abs=0.05
            )
    assert doubled == len(facts.bibs) > 0


@needs_stage_5
@pytest.mark.slow
def test_pau_faults_of_one_rider() -> None:
    out, stream = pau("vanish-150s")
    bib = stream.facts[0].bibs[0]
    gone = [f.t for f in frames(out) if fix_of(f, bib) is None]
    seen = [f.t for f in frames(recording()) if fix_of(f, bib) is None]
    new = sorted(set(gone) - set(seen))
    assert new == stream.facts[0].removed
    assert new[-1] - new[0] < 150
    assert len(new) >= 150 // 36
    out, stream = pau("resync-1km")
    bib = stream.facts[0].bibs[0]
    moved = differing(frames(recording()), frames(out))
    assert {b for _, b in moved} == {bib}
    for old, new_frame in zip(frames(recording()), frames(out), strict=True):
        a, b = fix_of(old, bib), fix_of(new_frame, bib)
        if old.t in stream.facts[0].changed:
            assert a is not None
            assert b is not None
            assert a.km_to_finish is not None
            assert b.km_to_finish == pytest.approx(a.km_to_finish + 1, abs=0.011)


@needs_stage_5
@pytest.mark.slow
def test_pau_clock_quirks() -> None:
    original = frames(recording())
    out, _ = pau("holes-36s")
    kept = frames(out)
    holes = [b.t - a.t for a, b in itertools.pairwise(kept)]
    runs, span = [], 0.0
    for hole in holes:
        if hole >= 36:
            runs.append(span)
            span = 0.0
        else:
            span += hole
    assert max(runs) <= 60  # No run of frames longer than 60 s without a hole of 36 s.
    assert sum(h >= 36 for h in holes) > sum(
        b.t - a.t >= 36 for a, b in itertools.pairwise(original)
    )
    out, stream = pau("previous-stage")
    snapshot = frames(out)[0]
    assert frames(out)[1:] == original
    assert all(f.finished and f.km_to_finish == 0 for f in snapshot.riders)
    local = datetime.fromtimestamp(snapshot.t, ZoneInfo("Europe/Paris"))
    assert local.isoformat() == "2026-07-07T19:00:00+02:00"
    for name, retime in (("future-frame", 86400.0), ("milliseconds", None)):
        out, stream = pau(name)
        facts = stream.facts[0]
        (was,) = facts.original_times
        assert facts.changed == [was + retime if retime else was * 1000]
        assert [f.t for f in frames(out)] == [
            facts.changed[0] if f.t == was else f.t for f in original
        ]
    out, _ = pau("shift-day")
    assert [f.t for f in frames(out)] == [f.t + 86400 for f in original]
    out, stream = pau("relay")
    assert [f.t for f in frames(out)] == [f.t for f in original] + [f.t + 86400 for f in original]
    assert [e.stage.number for e in out if isinstance(e, StartList)] == [5, 6]


@needs_stage_5
@pytest.mark.slow
@pytest.mark.parametrize("name", ["nan-lat", "minus-inf-feed_gap_s", "1e308-t"])
def test_pau_bad_numbers(name: str) -> None:
    out, stream = pau(name)
    facts = stream.facts[0]
    if name.endswith("-t"):
        assert facts.changed == [1e308] * 5
        assert len(facts.original_times) == 5
        return
    assert len(facts.bibs) == 5
    assert len(facts.changed) == 5
    spoilt = differing(frames(recording()), frames(out))
    # Five riders in five frames, but for a frame that a rider is missing from (the real feed).
    assert {(t, b) for t in facts.changed for b in facts.bibs} >= set(spoilt)
    assert len(spoilt) >= 20
