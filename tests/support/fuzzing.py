"""Mutated streams through the real parsers and the engine, tallied (`tests.support.mutations`).

A stream is a run of consecutive frames of one format, some of them damaged, sent in order
through that format's parse function and then one `race.engine.Race`, as an adapter and the
app would. Every frame ends in one of four outcomes:

- accepted: parsed (or ignored as a bind Ardoise does not read) and applied;
- rejected: the parse function raised its documented error, which an adapter counts as a bad
  event and goes on;
- exception: anything else raised, by the parser, the engine or the situation's JSON; the
  stream stops there (the engine's state after an exception is not worth testing);
- hang: a frame took more CPU time than the bound (interrupted by SIGPROF in the main thread).

It also records the strings that carry control characters, which a terminal would obey:
in the rejection messages (an adapter shows them) and in the situation's JSON.
"""

from __future__ import annotations

import gzip
import json
import random
import signal
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import ValidationError

from feeds.format.jsonl import LineError, decode, encode
from feeds.format.wire import FeedDocument, WireEvent
from feeds.racecenter.wire import FormatError, parse_update, stage_record, start_list
from feeds.text import error_reason
from race.engine import Race
from race.models import FeedEvent, StartList
from tests.support.mutations import (
    MUTATIONS,
    NAME_STRINGS,
    Json,
    Mutated,
    dump,
    hostile_names,
)
from tests.support.stages import STAGE_5, STAGE_16, stage_events

ROOT: Final = Path(__file__).resolve().parents[2]
Outcome = Literal["accepted", "rejected", "exception", "hang"]


class FrameTimeout(BaseException):
    """A frame over its time bound. A `BaseException`, so that no `except Exception` in the
    code under test can swallow it."""


@dataclass(frozen=True)
class Format:
    """A format as the fuzz suite sends it."""

    name: str
    frames: Callable[[], Sequence[Json]]
    """The stage's frames in order, as parsed JSON (the first is the start list, if sent)."""
    before: Callable[[random.Random], Sequence[FeedEvent]]
    """Events applied before a stream, not sent as text (a Race Center start list)."""
    parse: Callable[[bytes], Sequence[FeedEvent]]
    rejection: type[Exception]
    """The parse function's documented error: a counted bad event."""
    message: Callable[[Exception], str] = str
    """What an adapter shows of a rejection."""


@dataclass(frozen=True)
class Failure:
    """An exception or a hang, with what it takes to look at it again."""

    format: str
    kind: str
    what: str
    stage: str
    """Where it was raised: parse, apply or situation (the situation written as JSON)."""
    error: str
    where: str
    """The innermost frame of the project's own code."""
    traceback: str
    text: bytes
    stream_seed: int
    frame: int


@dataclass
class Tally:
    accepted: int = 0
    rejected: int = 0
    exception: int = 0
    hang: int = 0
    mutated: int = 0
    """Frames damaged this way (one can be sent as two texts)."""
    slowest_s: float = 0.0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=dict)
    """By mutation kind; "clean" for the frames sent untouched."""
    failures: list[Failure] = field(default_factory=list)
    dirty_rejections: set[str] = field(default_factory=set)
    """Rejection messages (as an adapter shows them) that carry control characters."""
    dirty_situations: set[str] = field(default_factory=set)
    """Strings of the situation's JSON that carry control characters."""

    def tally(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())

    def merge(self, other: Report) -> None:
        for kind, tally in other.tallies.items():
            mine = self.tally(kind)
            for name in ("accepted", "rejected", "exception", "hang", "mutated"):
                setattr(mine, name, getattr(mine, name) + getattr(tally, name))
            mine.slowest_s = max(mine.slowest_s, tally.slowest_s)
        self.failures += other.failures
        self.dirty_rejections |= other.dirty_rejections
        self.dirty_situations |= other.dirty_situations


def run_stream(
    fmt: Format,
    seed: int,
    *,
    length: int,
    rate: float,
    bound_s: float,
    kinds: Sequence[str] = tuple(MUTATIONS),
) -> Report:
    """One engine over `length` consecutive frames from a random place in the stage (after the
    start list, when the format sends one), each frame damaged with probability `rate`."""
    rng = random.Random(seed)
    report = Report()
    frames = fmt.frames()
    start = [frames[0]] if isinstance(frames[0], dict) and _is_start_list(frames[0]) else []
    body = frames[len(start) :]
    offset = rng.randint(0, max(0, len(body) - length))
    race = Race()
    for event in fmt.before(rng):
        race.apply(event)
    previous: bytes | None = None
    for number, frame in enumerate([*start, *body[offset : offset + length]]):
        if number == 0 and start and "control" in kinds and rng.random() < 0.5:
            kind, texts, what = "control", *_unpack(hostile_names(rng, frame))
        elif rng.random() < rate:
            kind = rng.choice(kinds)
            mutated = MUTATIONS[kind](rng, frame, previous)
            texts, what = mutated.texts, mutated.what
        else:
            kind, texts, what = "clean", (dump(frame),), ""
        tally = report.tally(kind)
        tally.mutated += 1
        for text in texts:
            began = time.perf_counter()
            outcome, failure = _send(fmt, race, text, bound_s, report)
            tally.slowest_s = max(tally.slowest_s, time.perf_counter() - began)
            tally.add(outcome)
            if failure is not None:
                stage, error, where, trace = failure
                report.failures.append(
                    Failure(fmt.name, kind, what, stage, error, where, trace, text, seed, number)
                )
                return report
        previous = dump(frame)
    return report


def _unpack(mutated: Mutated) -> tuple[tuple[bytes, ...], str]:
    return mutated.texts, mutated.what


def _send(
    fmt: Format, race: Race, text: bytes, bound_s: float, report: Report
) -> tuple[Outcome, tuple[str, str, str, str] | None]:
    stage = "parse"
    try:
        with time_bound(bound_s):
            try:
                events = fmt.parse(text)
            except fmt.rejection as error:
                message = fmt.message(error)
                if any(_controls(message)):
                    report.dirty_rejections.add(message[:200])
                return "rejected", None
            stage = "apply"
            for event in events:
                race.apply(event)
            stage = "situation"
            _check_situation(race, report)
    except FrameTimeout:
        return "hang", (stage, f"over {bound_s:g} s", "", "")
    except Exception as error:  # The point: anything else is a finding.
        return "exception", (stage, f"{type(error).__name__}: {error}"[:300], *_where(error))
    return "accepted", None


def _check_situation(race: Race, report: Report) -> None:
    """Notes the strings with control characters in the situation's JSON (what `ardoise
    situation --json` writes, and the screen shows); raises if it cannot be written."""
    for text in strings(json.loads(race.situation.model_dump_json())):
        if any(_controls(text)):
            report.dirty_situations.add(text[:120])


def strings(value: Json) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from strings(child)


def _controls(text: str) -> Iterator[str]:
    """The C0 and C1 control characters (and DEL) in `text`: what a terminal obeys."""
    return (c for c in text if unicodedata.category(c) == "Cc")


def has_controls(text: str) -> bool:
    return any(_controls(text))


def _where(error: BaseException) -> tuple[str, str]:
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if str(ROOT) in f.filename and "/tests/support/" not in f.filename]
    last = own[-1] if own else frames[-1]
    file = Path(last.filename).relative_to(ROOT) if own else last.filename
    where = f"{file}:{last.lineno} in {last.name}"
    summary = " <- ".join(
        f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(own[-4:])
    )
    return where, summary


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise `FrameTimeout` in the block after `seconds` of this process's CPU time (main
    thread only: elsewhere the block runs unbounded). CPU time, not wall time: on a machine
    shared with other work, a frame that waits for a core is not a hang."""

    def expire(signum: int, stack: object) -> None:
        raise FrameTimeout

    try:
        before = signal.signal(signal.SIGPROF, expire)
    except ValueError:  # Not the main thread.
        yield
        return
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, before)


# --- The formats -----------------------------------------------------------------------------


def _is_start_list(frame: dict[str, Any]) -> bool:
    event = frame.get("event")
    if isinstance(frame.get("events"), list) and frame["events"]:
        event = frame["events"][0].get("event")
    return isinstance(event, dict) and event.get("kind") == "start_list"


@cache
def _ardoise_events() -> tuple[tuple[float, FeedEvent], ...]:
    """The simulated flat stage, each event with a reception time (the start list's is the
    first frame's)."""
    events = stage_events("flat")
    first = next(e.t for e in events if hasattr(e, "t"))
    return tuple((float(getattr(e, "t", first)) + 0.5, e) for e in events)


@cache
def _jsonl_frames() -> tuple[Json, ...]:
    return tuple(json.loads(encode(event, at)) for at, event in _ardoise_events())


@cache
def _wire_frames() -> tuple[Json, ...]:
    return tuple(
        json.loads(
            FeedDocument(cursor=i, events=(WireEvent(id=i, at=at, event=event),)).model_dump_json()
        )
        for i, (at, event) in enumerate(_ardoise_events())
    )


def _parse_jsonl(text: bytes) -> Sequence[FeedEvent]:
    return (decode(text).event,)


def _parse_wire(text: bytes) -> Sequence[FeedEvent]:
    return tuple(wire.event for wire in FeedDocument.model_validate_json(text).events)


@cache
def _racecenter(path: Path) -> tuple[dict[str, Any], tuple[Json, ...]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        document = json.load(stream)
    frames = tuple(
        json.loads(e["data"]) for e in document["events"] if isinstance(e.get("data"), str)
    )
    return document, frames


def racecenter_stages() -> list[Path]:
    return [p for p in (STAGE_5, STAGE_16) if p.exists()]


@cache
def _racecenter_start_list(path: Path) -> StartList:
    """The stage's start list from its REST records (the route's profile takes a while)."""
    document, _ = _racecenter(path)
    rest = document["rest"]
    return start_list(
        race="Tour de France",
        year=int(document["meta"]["year"]),
        stage=stage_record(rest.get("stages") or {}, date=document["meta"].get("date")),
        riders=rest["riders"],
        teams=rest["teams"],
        trace=rest.get("trace"),
        checkpoints=rest.get("checkpoints"),
    )


def _racecenter_start(path: Path, rng: random.Random) -> StartList:
    """The stage's start list; half the time some riders, a team and the cities carry hostile
    strings in the REST records `wire.start_list` reads (they reach the screen from there)."""
    clean = _racecenter_start_list(path)
    if rng.random() >= 0.5:
        return clean
    document, _ = _racecenter(path)
    rest = json.loads(json.dumps(document["rest"]))
    stage = stage_record(rest.get("stages") or {}, date=document["meta"].get("date"))
    for rider in rng.sample(rest["riders"], k=min(5, len(rest["riders"]))):
        rider["lastname"] = f"{rider.get('lastname')}{rng.choice(NAME_STRINGS)}"
    team = rng.choice(rest["teams"])
    team["name"] = rng.choice(NAME_STRINGS) + str(team.get("name"))
    for city in ("departureCity", "arrivalCity"):
        if isinstance(stage.get(city), dict):
            stage[city]["label"] = rng.choice(NAME_STRINGS)
    hostile = start_list(
        race="Tour de France",
        year=int(document["meta"]["year"]),
        stage=stage,
        riders=rest["riders"],
        teams=rest["teams"],
        checkpoints=rest.get("checkpoints"),
    )
    # The route as the clean start list read it: the trace holds no names and takes a while.
    route = {"profile": clean.stage.profile, "distance_km": clean.stage.distance_km}
    return hostile.model_copy(update={"stage": hostile.stage.model_copy(update=route)})


def _parse_racecenter(text: bytes) -> Sequence[FeedEvent]:
    frame = parse_update(text)
    return (frame,) if frame is not None else ()


def racecenter_format(path: Path) -> Format:
    return Format(
        name=f"racecenter {path.name.split('.')[0]}",
        frames=lambda: _racecenter(path)[1],
        before=lambda rng: (_racecenter_start(path, rng),),
        parse=_parse_racecenter,
        rejection=FormatError,
    )


JSONL: Final = Format("jsonl", _jsonl_frames, lambda rng: (), _parse_jsonl, LineError)


def _wire_reason(error: Exception) -> str:
    """The reason the `http` and `sse` adapters give (they show the first error only)."""
    return error_reason(error) if isinstance(error, ValidationError) else str(error)


WIRE: Final = Format(
    "wire", _wire_frames, lambda rng: (), _parse_wire, ValidationError, _wire_reason
)
