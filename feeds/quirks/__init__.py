"""Quirks of real feeds, reproduced: seeded, pure transformations of a stream of feed events.

Real feeds send a pre-start stretch with a meaningless km to go, holes, riders who vanish, a
rider's last fix sent again, frames with only part of the field, ghost fixes kilometres away,
GPS resyncs, the previous stage's last frame, frames stamped ahead or in milliseconds, a stamp
stuck while the riders ride, the whole race standing a while, NaN and infinities, km to go in
100 m steps or offset from the riders' fixes, whole stages a day off, and run on from one stage
into the next. Each quirk here is an options model (told apart by `kind`) whose `apply` turns a
stream into the same stream with that quirk; `apply_quirks` chains them and reports what each
one did (`QuirkFacts`), so tests can check the engine against the scripted truth.

No clock, no I/O: the same stream, quirks and seed always give the same events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from random import Random
from typing import Annotated

from pydantic import Field, TypeAdapter

from feeds.quirks.base import QuirkFacts, QuirkOptions
from feeds.quirks.clock import (
    Cadence,
    FutureFrame,
    Milliseconds,
    Neutralised,
    Relay,
    ShiftDay,
    StuckClock,
)
from feeds.quirks.numbers import (
    NUMERIC_FIELDS,
    BadNumber,
    CoarseKm,
    KmOffset,
    NumericField,
    Speeds,
)
from feeds.quirks.prestart import PreStart, PreviousStage
from feeds.quirks.riders import Blind, Double, Freeze, Ghost, Resync, Stuck, Thin, Vanish
from race.models import FeedEvent

Quirk = Annotated[
    PreStart
    | PreviousStage
    | Cadence
    | Vanish
    | Blind
    | Freeze
    | Stuck
    | Thin
    | Double
    | Ghost
    | Resync
    | FutureFrame
    | Milliseconds
    | StuckClock
    | Neutralised
    | BadNumber
    | Speeds
    | CoarseKm
    | KmOffset
    | ShiftDay
    | Relay,
    Field(discriminator="kind"),
]
"""One quirk's options, told apart by `kind` (the key in `[[feed.simulated.quirks]]`)."""

QUIRK = TypeAdapter(Quirk)
"""Validates one quirk's options from plain data (a TOML table, a dict)."""


class QuirkedStream(Iterator[FeedEvent]):
    """A stream of events through quirks.

    The quirks apply in the order of their phase (the race's own faults, then what surrounds
    the race, then time itself; see `QuirkOptions.phase`), in the given order within a phase.
    `facts` has one `QuirkFacts` per quirk, in the given order, complete once the stream has
    been read to its end.
    """

    def __init__(self, events: Iterable[FeedEvent], quirks: Sequence[Quirk], seed: int) -> None:
        self.facts = [QuirkFacts(kind=quirk.kind) for quirk in quirks]
        stream: Iterator[FeedEvent] = iter(events)
        ordered = sorted(enumerate(quirks), key=lambda item: (item[1].phase, item[0]))
        for index, quirk in ordered:
            # One generator per quirk: the same quirk draws the same numbers whatever the others.
            rng = Random(f"{seed}:{index}:{quirk.kind}")
            stream = quirk.apply(stream, rng, self.facts[index])
        self._stream = stream

    def __next__(self) -> FeedEvent:
        return next(self._stream)


def apply_quirks(events: Iterable[FeedEvent], quirks: Sequence[Quirk], seed: int) -> QuirkedStream:
    """`events` with `quirks`, seeded: an iterator that also reports what each quirk did."""
    return QuirkedStream(events, quirks, seed)


__all__ = [
    "NUMERIC_FIELDS",
    "QUIRK",
    "BadNumber",
    "Blind",
    "Cadence",
    "CoarseKm",
    "Double",
    "Freeze",
    "FutureFrame",
    "Ghost",
    "KmOffset",
    "Milliseconds",
    "Neutralised",
    "NumericField",
    "PreStart",
    "PreviousStage",
    "Quirk",
    "QuirkFacts",
    "QuirkOptions",
    "QuirkedStream",
    "Relay",
    "Resync",
    "ShiftDay",
    "Speeds",
    "Stuck",
    "StuckClock",
    "Thin",
    "Vanish",
    "apply_quirks",
]
