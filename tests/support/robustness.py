"""The engine on a real stage with each quirk of real feeds: how much of its answer survives.

The Pau recording (stage 5 of 2026, `STAGE_5`) is replayed untouched, then through each named
transformation (`TRANSFORMATIONS`, built from `feeds.quirks`), through `race.engine.Race`.
`measure(name)` tells, for one transformation, how many of the group-frames between the real
start and the winner's finish have a gap within `MATCH_S` of the feed's own gap of the group's
first rider, and how the winner's time and the time limit moved against the untouched run.
`bench/robustness.py` prints them as a table; tests can assert on the same `Measure`s.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.quirks import (
    NUMERIC_FIELDS,
    BadNumber,
    Blind,
    Cadence,
    CoarseKm,
    Double,
    Freeze,
    FutureFrame,
    Ghost,
    KmOffset,
    Milliseconds,
    Neutralised,
    PreStart,
    PreviousStage,
    Quirk,
    Relay,
    Resync,
    ShiftDay,
    Speeds,
    Stuck,
    StuckClock,
    Thin,
    Vanish,
    apply_quirks,
)
from race.engine import Race
from race.models import Bib, FeedEvent, FeedStatus, StartList, Telemetry
from race.situation import GroupView
from tests.support.stages import STAGE_5, STAGE_5_BREAK_RIDER, engine_settings

SEED = 2026
MATCH_S = 5.0
"""A group's gap matches the feed's when it is within this many seconds of it."""
CLIP_S = 10
"""The histogram of differences is clipped at ± this many seconds."""
STORY_ALERTS = ("break_formed", "break_caught", "time_limit")
"""The kinds of alert (by prefix) a quirk of the feed must not add to the stage's story."""


BAD_VALUES = (("nan", math.nan), ("inf", math.inf), ("minus-inf", -math.inf), ("1e308", 1e308))
"""Values no measure can have, as the feed may send them."""
EVERY_BAD_KM = tuple(150.0 - 4.0 * i for i in range(len(NUMERIC_FIELDS) * len(BAD_VALUES)))
"""Where each numeric field gets each bad value in turn, when all are spoilt in one replay."""


@dataclass(frozen=True)
class Transformation:
    """A named way of spoiling the stage: quirks applied to the recording with a seed."""

    name: str
    quirks: tuple[Quirk, ...]
    description: str


def _registry() -> dict[str, Transformation]:
    cases = [
        Transformation("untouched", (), "the recording as it is"),
        *(
            Transformation(
                f"pre-start-{label}",
                (PreStart(km_to_finish=km, absent_share=0.2, away_km=200.0),),
                f"30 min before the stream at {label} km to go, a fifth absent, 200 km away",
            )
            for label, km in (("12.4", 12.4), ("0", 0.0), ("distance", "distance"))
        ),
        Transformation("ghost-ahead", (Ghost(direction="ahead"),), "one fix 5 km ahead"),
        Transformation("ghost-behind", (Ghost(direction="behind"),), "one fix 5 km behind"),
        Transformation(
            "ghost-head",
            (Ghost(bib=STAGE_5_BREAK_RIDER),),
            "one fix of the lone breakaway (the head of the race) 5 km ahead",
        ),
        Transformation(
            "vanish-head",
            (Vanish(bib=STAGE_5_BREAK_RIDER),),
            "the lone breakaway (the head of the race) missing for 150 s",
        ),
        Transformation(
            "frame-without-distances",
            (BadNumber(field="km_to_finish", riders=200, frames=3),),
            "three frames where no rider has a usable km to go",
        ),
        Transformation("holes-36s", (Cadence(),), "runs of 60 s of frames, then 36 s holes"),
        Transformation("vanish-150s", (Vanish(),), "one rider missing for 150 s"),
        Transformation("resync-1km", (Resync(),), "one rider moved 1 km back for good"),
        Transformation(
            "freeze-20min",
            (Freeze(duration_s=1200.0),),
            "one rider's last fix sent again for 20 minutes",
        ),
        Transformation(
            "stuck-60s",
            (Stuck(),),
            "one rider's km to go stuck for 60 s while he rides on",
        ),
        Transformation(
            "stuck-head",
            (Stuck(bib=STAGE_5_BREAK_RIDER, duration_s=48.0),),
            "the lone breakaway's km to go stuck for 48 s while he rides on",
        ),
        Transformation(
            "blind-front-500m",
            (Blind(),),
            "the first 20 riders lost from 500 m to go (the winner among them)",
        ),
        Transformation(
            "blind-front-2km",
            (Blind(at_km_to_finish=2.0),),
            "the first 20 riders lost from 2 km to go (the winner among them)",
        ),
        Transformation(
            "blind-all-2km",
            (Blind(at_km_to_finish=2.0, riders=500),),
            "every rider lost from 2 km to go",
        ),
        Transformation(
            "thin-front", (Thin(),), "every 40 frames, 2 frames with only the first 30 riders"
        ),
        Transformation(
            "thin-any",
            (Thin(which="any"),),
            "every 40 frames, 2 frames with only 30 riders, any of them",
        ),
        Transformation(
            "double-after",
            (Double(),),
            "every 3 frames, 5 % of the riders also 2 km behind, after the live fix",
        ),
        Transformation(
            "double-before",
            (Double(first=True),),
            "every 3 frames, 5 % of the riders also 2 km behind, before the live fix",
        ),
        Transformation("previous-stage", (PreviousStage(),), "yesterday's last frame first"),
        Transformation("future-frame", (FutureFrame(),), "one frame stamped a day ahead"),
        Transformation("milliseconds", (Milliseconds(),), "one frame stamped in ms"),
        Transformation(
            "ahead-2h",
            (FutureFrame(offset_s=7200.0, frames=2),),
            "two frames in a row stamped 2 h ahead",
        ),
        Transformation(
            "ahead-10min",
            (FutureFrame(offset_s=600.0, frames=3),),
            "three frames in a row stamped 10 min ahead",
        ),
        Transformation("stuck-clock", (StuckClock(),), "ten frames with the first one's stamp"),
        Transformation(
            "neutralised-10min",
            (Neutralised(),),
            "the whole race standing 10 min halfway, then riding on",
        ),
        *(
            Transformation(
                f"{label}-{name}",
                (BadNumber(field=name, value=value, riders=5, frames=5, every_frames=10),),
                f"{label} in {name}"
                + (" of 5 frames" if name == "t" else " of 5 riders in 5 frames"),
            )
            for label, value in BAD_VALUES
            for name in NUMERIC_FIELDS
        ),
        Transformation(
            "bad-numbers",
            tuple(
                BadNumber(field=name, value=value, riders=10, frames=5, at_km_to_finish=km)
                for (name, (_, value)), km in zip(
                    itertools.product(NUMERIC_FIELDS, BAD_VALUES), EVERY_BAD_KM, strict=True
                )
            ),
            "NaN, inf, -inf and 1e308 in each field in turn, 10 riders in 5 frames each",
        ),
        Transformation("speeds-zero", (Speeds(),), "every speed 0 (a feed without speeds)"),
        Transformation(
            "km-100m",
            (CoarseKm(at_km_to_finish=1000.0),),
            "every km to go rounded to 100 m, the whole stage",
        ),
        Transformation(
            "offset-head",
            (KmOffset(at_km_to_finish=80.0),),
            "the head of the race's km to go 800 m further back than his GPS, 20 minutes",
        ),
        Transformation(
            "offset-10",
            (KmOffset(at_km_to_finish=80.0, riders=10, which="any", offset_km=0.5),),
            "ten riders' km to go 500 m further back than their GPS, 20 minutes",
        ),
        Transformation(
            "km-100m-down",
            (CoarseKm(at_km_to_finish=1000.0, how="down"),),
            "every km to go cut to the 100 m below, the whole stage",
        ),
        Transformation("speeds-ms", (Speeds(factor=1 / 3.6),), "every speed in metres a second"),
        Transformation("shift-day", (ShiftDay(),), "the whole stage a day later"),
        Transformation("relay", (Relay(),), "the stage, then again a day later (measured)"),
    ]
    return {case.name: case for case in cases}


TRANSFORMATIONS: dict[str, Transformation] = _registry()
"""Every transformation the bench measures, by name, the untouched recording first."""


@dataclass
class Measure:
    """One replay of the stage through the engine, against the feed and the untouched run."""

    name: str
    group_frames: int = 0
    """Group-frames from the real start to the winner's finish whose first rider has a feed
    gap in the frame (the ones measured)."""
    matched: int = 0
    """Of those, the ones within `MATCH_S` of the feed's gap."""
    gapless: int = 0
    """Of those, groups the engine gave no finite gap (counted as mismatches)."""
    unreferenced: int = 0
    """Group-frames left out: their first rider has no usable feed gap in the frame."""
    histogram: Counter[int] = field(default_factory=Counter)
    """Engine's gap minus the feed's, rounded to the second, clipped at ±`CLIP_S`."""
    winner: Bib | None = None
    winner_time_s: float | None = None
    """The winner's race time as the engine reckons it for the time limit (his finish minus
    the real start, less any time the whole race stood)."""
    winner_t: float | None = None
    """When the winner finished, brought back to the recording's day (shifts undone)."""
    winner_sure: bool = True
    """The engine names the winner as a fact, not a guess."""
    limit_percent: float | None = None
    cut_s: float | None = None
    frames_dropped: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    """The race radio's alerts by kind, over the whole replay."""
    error: str | None = None
    """The exception the engine raised, if any, and at which event (the replay stops there)."""
    seconds: float = 0.0
    """Wall-clock time of the replay."""

    @property
    def share(self) -> float | None:
        """Share of measured group-frames within `MATCH_S` of the feed (None: none measured)."""
        return self.matched / self.group_frames if self.group_frames else None


@dataclass(frozen=True)
class Comparison:
    """A transformation's measure beside the untouched one."""

    measure: Measure
    untouched: Measure

    @property
    def coverage(self) -> float | None:
        """Measured group-frames against the untouched run's."""
        base = self.untouched.group_frames
        return self.measure.group_frames / base if base else None

    @property
    def winner_delta_s(self) -> float | None:
        return _delta(self.measure.winner_time_s, self.untouched.winner_time_s)

    @property
    def finish_delta_s(self) -> float | None:
        return _delta(self.measure.winner_t, self.untouched.winner_t)

    @property
    def story_alerts_added(self) -> dict[str, int]:
        """Alerts of the race's story (a break formed or caught, a group or rider tight, in
        danger, outside, back to safe) the untouched run did not raise, by kind: a quirk of
        the feed must never raise one."""
        added = {
            kind: count - self.untouched.alerts[kind]
            for kind, count in self.measure.alerts.items()
            if kind.startswith(STORY_ALERTS)
        }
        return {kind: more for kind, more in added.items() if more > 0}

    @property
    def percent_delta(self) -> float | None:
        return _delta(self.measure.limit_percent, self.untouched.limit_percent)

    @property
    def cut_delta_s(self) -> float | None:
        return _delta(self.measure.cut_s, self.untouched.cut_s)

    @property
    def same_winner(self) -> bool:
        return self.measure.winner == self.untouched.winner


def _delta(value: float | None, reference: float | None) -> float | None:
    return None if value is None or reference is None else value - reference


@cache
def recording() -> tuple[FeedEvent, ...]:
    """The Pau recording's events (its start list, then its frames), read once per process."""

    async def read() -> tuple[FeedEvent, ...]:
        feed = RecordingFeed(RecordingOptions(path=STAGE_5, speed=0))
        return tuple([e async for e in feed.events() if not isinstance(e, FeedStatus)])

    return asyncio.run(read())


def measure(transformation: Transformation | str, seed: int = SEED) -> Measure:
    """Replay the recording through `transformation` (or its name) and the engine."""
    case = TRANSFORMATIONS[transformation] if isinstance(transformation, str) else transformation
    # A relay is measured on its last stage (after its last start list), and times of day
    # are compared with the shifts undone.
    relay = next((q for q in case.quirks if isinstance(q, Relay)), None)
    stages = relay.stages if relay is not None else 1
    shift = sum(q.offset_s for q in case.quirks if isinstance(q, ShiftDay))
    # A neutralisation moves the finish too: the winner's finish is compared with it undone.
    shift += sum(q.duration_s for q in case.quirks if isinstance(q, Neutralised))
    if relay is not None:
        shift += relay.offset_s * (relay.stages - 1)
    return _replay(case.name, apply_quirks(recording(), case.quirks, seed), stages, shift)


def compare(transformation: Transformation | str, seed: int = SEED) -> Comparison:
    """`measure(transformation)` beside the untouched run's (measured once per process)."""
    return Comparison(measure(transformation, seed), _untouched())


@cache
def _untouched() -> Measure:
    return measure("untouched")


def _replay(name: str, stream: Iterable[FeedEvent], stage: int, shift: float) -> Measure:
    """The engine over `stream`, measuring the frames after its `stage`-th start list."""
    out = Measure(name=name)
    race = Race(engine_settings())
    started = time.perf_counter()
    start_lists = 0
    index = 0
    try:
        for index, event in enumerate(stream):  # noqa: B007 (named in the error)
            situation = race.apply(event)
            start_lists += isinstance(event, StartList)
            if not isinstance(event, Telemetry) or start_lists < stage:
                continue
            if situation.winner_finished or situation.race_time_s is None:
                continue
            _count(out, event, situation.groups)
    except Exception as error:  # The harness reports any failure of the engine as a result.
        out.error = f"{type(error).__name__}: {error} (event {index})"
    out.seconds = time.perf_counter() - started
    last = race.situation
    out.winner = last.winner
    out.winner_sure = last.winner_sure
    if last.winner_t is not None:
        out.winner_t = last.winner_t - shift
        out.winner_time_s = last.time_limit.winner_time_s
    out.limit_percent = last.time_limit.percent
    out.cut_s = last.time_limit.cut_s
    out.frames_dropped = last.frames_dropped
    out.alerts = Counter(alert.kind for alert in last.alerts)
    return out


def _count(out: Measure, frame: Telemetry, groups: Iterable[GroupView]) -> None:
    feed = {fix.bib: fix.feed_gap_s for fix in frame.riders}
    for group in groups:
        reference = feed.get(group.riders[0]) if group.riders else None
        if reference is None or not math.isfinite(reference):
            out.unreferenced += 1
            continue
        out.group_frames += 1
        gap: float | None = group.gap_s  # Typed a float; a None would still be a mismatch.
        if gap is None or not math.isfinite(gap):
            out.gapless += 1
            continue
        difference = gap - reference
        out.histogram[max(-CLIP_S, min(CLIP_S, round(difference)))] += 1
        if abs(difference) <= MATCH_S:
            out.matched += 1
