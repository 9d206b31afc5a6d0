"""A stage's past: every entry applied to the engine, kept compactly, and the engine's state
checkpointed along the head's road, so that the situation at any earlier point is one restore
and a few events away.

The live engine goes on as before (`History.apply` is `Race.apply` that also remembers; the
dearer part of remembering waits for `History.settle`, which the app calls once the new
situation is on screen). To see the race at an earlier point, the nearest checkpoint before it
is restored and the entries after it are applied again: the same engine on the same entries
gives the same situation as it did live. The engine restored is kept, so a step forward from
where one is (→, one km) applies only the few entries in between.

What is kept, 10 MB on a Race Center stage of ~1,250 frames: each entry as the plain values
of its model, pickled, compressed by blocks of entries (about 4 KB a frame: pydantic rebuilds
a frame from them in 0.4 ms, from its own pickle in 1.4 ms); a checkpoint every
`CHECKPOINT_KM` of the head's road or `CHECKPOINT_ENTRIES` entries (`race.snapshot`: the
trajectories' points kept once for all the checkpoints). `bench/seek.py` measures the sizes
and the seek times.
"""

from __future__ import annotations

import gc
import math
import pickle
import zlib
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from race.engine import Race
from race.models import Bib, FeedEvent, Telemetry
from race.situation import Situation
from race.snapshot import LEVEL, SnapshotStore

CHECKPOINT_KM = 3.0
"""A checkpoint every this many km of the head's road... The engine takes 2-5 ms a frame (the
finale's the dearest): a seek replays at most 30 entries after its checkpoint and takes at
most ~0.15 s of CPU, half the 0.3 s a seek may take, on a loaded machine. A checkpoint costs
~55 KB: 82 of them on the simulated flat stage hold 4.5 MB, 54 on the Pau stage 3.1 MB
(`python bench/seek.py`; 4 km and 40 entries gave a worst seek of 0.23 s)."""
CHECKPOINT_ENTRIES = 30
"""... and at least every this many entries, whatever the road: the simulated stage sends ~14
frames a km, a sprint finish several an instant, and before the start or on a time trial there
is no head's road at all."""
CHECKPOINT_MIN_ENTRIES = 10
"""... but never after fewer entries than this, save at a new stage: a checkpoint costs ~10 ms,
about what replaying 3-10 entries does, and a stretch sent sparsely (a replay skipping to the
finale: a frame a minute, most of a km) would otherwise be checkpointed every few entries,
on the way to the first picture."""

_EVENT = TypeAdapter(FeedEvent)


@dataclass(frozen=True)
class Action:
    """A change made to the engine by the user, not by the feed (the sprinter chosen during the
    race, the riders marked): remembered in its place among the events, so that going back and
    forward again gives what the live engine gave."""

    method: str
    """The `Race` method, e.g. "set_sprinter"."""
    args: tuple[Any, ...]


ACTIONS = frozenset({"set_sprinter", "set_role", "set_marked"})
"""The `Race` methods an `Action` may call."""


@dataclass(frozen=True)
class _Checkpoint:
    entries: int
    """How many entries the engine had applied."""
    frozen: bytes


class History:
    """The live engine, what it was given, and how to see it as it was."""

    def __init__(
        self,
        race: Race,
        *,
        every_km: float = CHECKPOINT_KM,
        every_entries: int = CHECKPOINT_ENTRIES,
    ) -> None:
        """
        Args:
            race: the live engine, before any entry (its entries are remembered from here).
            every_km: a checkpoint every this many km of the head's road...
            every_entries: ... and at least every this many entries.
        """
        self.race = race
        self._every_km = every_km
        self._every_entries = every_entries
        self._store = SnapshotStore()
        self._head_km = array("d")
        """The head's km to go after each entry (NaN: none)."""
        self._frame_t = array("d")
        """The feed time of each entry that is a frame (NaN: not a frame)."""
        self._packed: list[bytes] = []
        """Closed blocks of entries, compressed: block i holds entries from `_block_start[i]`."""
        self._block_start: list[int] = []
        self._open: list[bytes] = []
        """The entries since the last block was closed, each pickled."""
        self._checkpoints = [_Checkpoint(0, self._store.freeze(race))]
        self._checkpoint_km: float | None = None
        self._unsettled: FeedEvent | Action | None = None
        """The last entry, not pickled yet (`settle`)."""
        self._checkpoint_pending = False
        """A checkpoint is due after the last entry (`settle`)."""
        self._restored: tuple[int, Race] | None = None
        """The engine last restored and how many entries it has applied."""

    def __len__(self) -> int:
        """The number of entries applied to the live engine."""
        return len(self._head_km)

    @property
    def nbytes(self) -> int:
        """The bytes the history holds."""
        return sum(self.sizes().values())

    def sizes(self) -> dict[str, int]:
        """The bytes it holds, by part: the entries (and their km and times), the checkpoints,
        the trajectories' blocks they share."""
        self.settle()
        return {
            "entries": sum(map(len, self._packed))
            + sum(map(len, self._open))
            + self._head_km.itemsize * 2 * len(self),
            "checkpoints": sum(len(c.frozen) for c in self._checkpoints),
            "blocks": self._store.nbytes,
        }

    def forget_restored(self) -> None:
        """Drop the engine kept from the last seek: the next one restores a checkpoint (and
        the memory it held is freed)."""
        self._restored = None

    @property
    def checkpoints(self) -> int:
        """The checkpoints taken, the one due at `settle` included."""
        return len(self._checkpoints) + self._checkpoint_pending

    # --- The live engine ---------------------------------------------------------------------

    def apply(self, event: FeedEvent) -> Situation:
        """Apply `event` to the live engine, and remember it."""
        self.settle()
        situation = self.race.apply(event)
        self._remember(event, situation, event.t if isinstance(event, Telemetry) else math.nan)
        return situation

    def act(self, method: str, *args: Any) -> Situation:
        """Call the live engine's `method` (one of `ACTIONS`) and remember it. Raises what the
        method raises (a bib not in the start list), and then remembers nothing."""
        if method not in ACTIONS:
            raise ValueError(f"{method!r} is not an action the history can replay")
        self.settle()
        situation: Situation = getattr(self.race, method)(*args)
        self._remember(Action(method, args), situation, math.nan)
        return situation

    def set_sprinter(self, bib: Bib) -> Situation:
        """`Race.set_sprinter`, remembered."""
        return self.act("set_sprinter", bib)

    def _remember(self, entry: FeedEvent | Action, situation: Situation, t: float) -> None:
        """Note the entry; what costs (pickling it, a checkpoint) waits for `settle`."""
        head = situation.head_km_to_finish
        self._head_km.append(head if head is not None else math.nan)
        self._frame_t.append(t)
        self._unsettled = entry
        if self._checkpoint_due(head):
            self._checkpoint_km = head
            self._checkpoint_pending = True

    def settle(self) -> None:
        """Keep the last entry and take the checkpoint due after it: the dearer part of
        remembering (a frame's pickle, ~0.5 ms; a checkpoint, ~10 ms), which the app does once
        the situation is on screen. Done first by anything that reads the past or changes the
        engine, so the entries and checkpoints are always those of an immediate keeping."""
        entry, self._unsettled = self._unsettled, None
        if entry is not None:
            if not self._open:
                self._block_start.append(len(self) - 1)
            value = entry if isinstance(entry, Action) else entry.model_dump()
            self._open.append(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        if self._checkpoint_pending:
            self._checkpoint_pending = False
            self._packed.append(zlib.compress(pickle.dumps(self._open), LEVEL))
            self._open = []
            self._checkpoints.append(_Checkpoint(len(self), self._store.freeze(self.race)))

    @property
    def settled(self) -> bool:
        """Nothing is left for `settle` to do."""
        return self._unsettled is None and not self._checkpoint_pending

    def __getstate__(self) -> dict[str, Any]:
        """Pickled settled (a start point): the entries and checkpoints complete."""
        self.settle()
        return self.__dict__

    def _checkpoint_due(self, head: float | None) -> bool:
        since = len(self) - self._checkpoints[-1].entries
        if since >= self._every_entries:
            return True
        if head is None:
            return False
        last = self._checkpoint_km
        # A head further from the line than at the last checkpoint: a new stage (a relay).
        if last is None or head > last:
            return True
        return last - head >= self._every_km and since >= min(
            CHECKPOINT_MIN_ENTRIES, self._every_entries
        )

    # --- The past ----------------------------------------------------------------------------

    def head_km_after(self, entries: int) -> float | None:
        """The head's km to go after the first `entries` entries (None: not known then)."""
        if entries <= 0:
            return None
        km = self._head_km[min(entries, len(self)) - 1]
        return None if math.isnan(km) else km

    def entries_to_km(self, km: float) -> int | None:
        """How many entries bring the head at or inside `km` from the line (the first entry
        that does, included); None when it has not got there yet."""
        return next((i + 1 for i, head in enumerate(self._head_km) if head <= km), None)

    def entries_to(self, t: float) -> int:
        """How many entries come before the first frame later than feed time `t` (as
        `ardoise situation --until` stops)."""
        return next((i for i, frame_t in enumerate(self._frame_t) if frame_t > t), len(self))

    def last_frame_t(self, entries: int) -> float | None:
        """The feed time of the last frame among the first `entries` entries (None: none)."""
        for i in range(min(entries, len(self)) - 1, -1, -1):
            if not math.isnan(self._frame_t[i]):
                return self._frame_t[i]
        return None

    def next_frame_t(self, entries: int) -> float | None:
        """The feed time of the first frame after the first `entries` entries (None: none
        yet)."""
        return next((t for t in self._frame_t[max(entries, 0) :] if not math.isnan(t)), None)

    def first_head_entries(self) -> int | None:
        """How many entries bring the first situation with a head of the race (where the
        race starts being seen); None before."""
        return next((i + 1 for i, head in enumerate(self._head_km) if not math.isnan(head)), None)

    def situation_at_km(self, km: float) -> Situation | None:
        """The situation when the head was first at or inside `km` from the line; None when it
        has not got there yet."""
        entries = self.entries_to_km(km)
        return self.situation_after(entries) if entries is not None else None

    def situation_at(self, t: float) -> Situation:
        """The situation at feed time `t`: every entry before the first later frame."""
        return self.situation_after(self.entries_to(t))

    def situation_after(self, entries: int) -> Situation:
        """The situation the engine gave after its first `entries` entries (all of them when
        more are asked: the live situation)."""
        if entries >= len(self):
            return self.race.situation
        self.settle()
        entries = max(entries, 0)
        kept = self._restored
        checkpoint = max(
            (c for c in self._checkpoints if c.entries <= entries), key=lambda c: c.entries
        )
        with no_collection():
            if kept is not None and checkpoint.entries <= kept[0] <= entries:
                done, race = kept  # Nearer than the checkpoint: step on from where it is.
            else:
                done, race = checkpoint.entries, self._store.thaw(checkpoint.frozen)
            for entry in self._entries(done, entries):
                if isinstance(entry, Action):
                    getattr(race, entry.method)(*entry.args)
                else:
                    race.apply(entry)
        self._restored = (entries, race)
        return race.situation

    def _entries(self, start: int, stop: int) -> Iterator[FeedEvent | Action]:
        """The entries from `start` to `stop`, decoded."""
        if start >= stop:
            return
        blocks = [*self._block_start]
        for number, first in enumerate(blocks):
            closed = number < len(self._packed)
            size = len(self._open) if not closed else _block_size(blocks, number, len(self))
            if first + size <= start or first >= stop:
                continue
            raw: list[bytes] = (
                pickle.loads(zlib.decompress(self._packed[number])) if closed else self._open
            )
            for i in range(max(start, first), min(stop, first + size)):
                yield _decode(raw[i - first])


@contextmanager
def no_collection() -> Iterator[None]:
    """No garbage collection during a seek: a restore allocates the engine's objects anew, and a
    full collection it sets off walks every object of the process (0.15 s and more in an app
    holding a stage), twice what the seek itself costs. Collected later, as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _block_size(starts: list[int], number: int, total: int) -> int:
    return (starts[number + 1] if number + 1 < len(starts) else total) - starts[number]


def _decode(entry: bytes) -> FeedEvent | Action:
    value = pickle.loads(entry)
    if isinstance(value, Action):
        return value
    event: FeedEvent = _EVENT.validate_python(value)
    return event
