"""The engine's state frozen to bytes and brought back, for the history's checkpoints.

A `Race` pickles whole, but most of it is the same from one checkpoint to the next: every
rider's trajectory only grows (a few thousand points each by the finish), and the stage, its
route and the route's grid are built once per stage and never changed. Pickled whole every few
km, a flat stage's checkpoints held 50 MB; here each checkpoint keeps only what changed:

- a trajectory's points go to a shared store in blocks of `BLOCK` floats, each block kept once
  whatever the number of checkpoints that hold it (only the unfinished last block is in the
  checkpoint itself);
- the objects of `SHARED_TYPES` are kept once, by identity, and a restored engine gets the very
  same objects (they are never changed after they are built).

The rest is pickled and compressed with zlib.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import zlib
from array import array
from collections.abc import Callable
from typing import Any

from race.engine import Race
from race.models import Stage
from race.tracking.geometry import RouteLine
from race.tracking.routegrid import RouteGrid
from race.tracking.trajectory import Trajectory

BLOCK = 64
"""Floats per block of a trajectory in the store (512 bytes): small enough that the
unfinished last block of each of 350 trajectories costs little in every checkpoint."""
BLOCK_BYTES = BLOCK * array("d").itemsize
LEVEL = 1
"""zlib's fastest level: level 6 saves a fifth of the size for three times the time."""
SHARED_TYPES: tuple[type, ...] = (Stage, RouteLine, RouteGrid)
"""Built once per stage and never changed after (frozen, or only set in `__init__`): kept once
and shared by the live engine and every restored one."""


class SnapshotStore:
    """What the checkpoints of one history share: trajectory blocks and the shared objects."""

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._block_ids: dict[bytes, int] = {}
        self._shared: list[object] = []
        self._shared_ids: dict[int, int] = {}
        """id() of a shared object → its place in `_shared` (which keeps it alive)."""
        self._known: dict[int, tuple[list[float], int, float, list[int]]] = {}
        """id() of a list packed at the last checkpoint → the list (kept: its id is not given
        to another meanwhile), how many floats its whole blocks held, the last of them (the
        object) and the blocks' ids."""
        self._seen: dict[int, tuple[list[float], int, float, list[int]]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # A history kept between launches (`tui.startpoint`): its maps keyed by id() would
        # name other objects in another process. Rebuilt from what they stand for.
        return {"blocks": self._blocks, "shared": self._shared}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._blocks = state["blocks"]
        self._block_ids = {block: index for index, block in enumerate(self._blocks)}
        self._shared = state["shared"]
        self._shared_ids = {id(obj): index for index, obj in enumerate(self._shared)}
        self._known = {}
        self._seen = {}

    @property
    def nbytes(self) -> int:
        """The blocks' bytes (the shared objects are the live engine's own)."""
        return len(self._blocks) * BLOCK_BYTES

    def freeze(self, race: Race) -> bytes:
        """`race`'s state, compressed."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        table: dict[type, Callable[[Any], Any]] = dict(copyreg.dispatch_table)
        table[Trajectory] = self._reduce_trajectory
        for kind in SHARED_TYPES:
            table[kind] = self._reduce_shared
        pickler.dispatch_table = table
        self._seen = {}
        pickler.dump(race)
        self._known = self._seen  # Only the lists of this checkpoint are kept.
        return zlib.compress(buffer.getbuffer(), LEVEL)

    def thaw(self, frozen: bytes) -> Race:
        """A new engine in the state `frozen` holds."""
        race = _Unpickler(io.BytesIO(zlib.decompress(frozen)), self).load()
        if not isinstance(race, Race):
            raise TypeError(f"a checkpoint holds a {type(race).__name__}, not a Race")
        return race

    # --- Pickling ----------------------------------------------------------------------------

    def _reduce_shared(self, obj: object) -> tuple[Callable[[int], object], tuple[int]]:
        index = self._shared_ids.get(id(obj))
        if index is None:
            index = len(self._shared)
            self._shared.append(obj)
            self._shared_ids[id(obj)] = index
        return _shared, (index,)

    def _reduce_trajectory(self, trajectory: Trajectory) -> tuple[Any, ...]:
        # Python 3.11's default state of a class with slots: (None, {slot: value}).
        state: tuple[None, dict[str, Any]] = trajectory.__getstate__()  # type: ignore[assignment]
        slots = state[1]
        packed = {
            name: self._pack(value) if name in ("_t", "_x") else value
            for name, value in slots.items()
        }
        return _trajectory, (packed,)

    def _pack(self, values: list[float]) -> tuple[list[int], list[float]]:
        """A list of floats as the ids of its whole blocks and its last, unfinished one.

        The blocks packed at the last checkpoint are taken again while the list still holds,
        at the end of them, the very float object it held then: a trajectory changes only at
        its end (a point appended, its last point moved, the points after a resync dropped),
        so a change anywhere before would have replaced that one too. Only the new blocks are
        converted.
        """
        whole = len(values) - len(values) % BLOCK
        ids: list[int] = []
        start = 0
        known = self._known.get(id(values))
        if known is not None:
            same, end, last, known_ids = known
            if same is values and end <= whole and values[end - 1] is last:
                start, ids = end, list(known_ids)
        raw = array("d", values[start:whole]).tobytes()
        for offset in range(0, len(raw), BLOCK_BYTES):
            block = raw[offset : offset + BLOCK_BYTES]
            found = self._block_ids.get(block)
            if found is None:
                found = len(self._blocks)
                self._blocks.append(block)
                self._block_ids[block] = found
            ids.append(found)
        if whole:
            self._seen[id(values)] = (values, whole, values[whole - 1], ids)
        return ids, values[whole:]

    # --- Unpickling --------------------------------------------------------------------------

    def shared(self, index: int) -> object:
        return self._shared[index]

    def trajectory(self, packed: dict[str, Any]) -> Trajectory:
        trajectory = Trajectory.__new__(Trajectory)
        for name, value in packed.items():
            if name in ("_t", "_x"):
                ids, tail = value
                values = array("d")
                for block in ids:
                    values.frombytes(self._blocks[block])
                value = values.tolist() + tail
            setattr(trajectory, name, value)
        return trajectory


def _shared(index: int) -> object:
    """Stands in a pickle for a shared object (its unpickler resolves it from the store)."""
    raise RuntimeError("a checkpoint is read with its own store (SnapshotStore.thaw)")


def _trajectory(packed: dict[str, Any]) -> Trajectory:
    """Stands in a pickle for a trajectory (its unpickler rebuilds it from the store)."""
    raise RuntimeError("a checkpoint is read with its own store (SnapshotStore.thaw)")


class _Unpickler(pickle.Unpickler):
    """Resolves the stand-ins of `SnapshotStore` against the store that wrote them."""

    def __init__(self, file: io.BytesIO, store: SnapshotStore) -> None:
        super().__init__(file)
        self._store = store

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__:
            if name == _shared.__name__:
                return self._store.shared
            if name == _trajectory.__name__:
                return self._store.trajectory
        return super().find_class(module, name)
