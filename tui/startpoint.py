"""A replay's start point kept between launches: the stage played up to `skip_to_km` once, then
taken up there again in a few hundredths of a second.

Getting to the start point of the default replay (the simulated stage at 45 km to go) takes
about 1.3 s: simulating the stage up to there, the engine on it and its history. Once there,
the engine's history and the feed's own state are pickled into the user's cache folder; the
next launch with the same settings restores both, draws the race at once and plays on from
the same events. The state restored is the one the replay would reach: the file is keyed by
everything it depends on (Ardoise's code, the feed's options, the engine's settings, the
saved marks, the versions of Python and pydantic), and a file that does not match, or cannot
be read, is ignored: the replay is played from the start as before, and kept anew. (Pickles
are code: the cache folder is the user's own, as trusted as his configuration.)

The file holds the situation at the start point apart from the rest: a launch draws the race
from it at once, and takes up the engine (its modules and its history, a tenth of the launch)
only after that first picture (`tui.engineroom`).

The embedded default's start point is also built with the package (`tui.bake`, run by the
wheel's build hook) into `BAKED_FOLDER`: the very first launch after an install opens on the
race as fast as the next ones. It is keyed in the same way, the code by its files' sizes (an
install sets their times), and never removed: a launch it does not fit plays the skip.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pydantic
import pydantic_core

from feeds.base import FeedAdapter, Resumable
from race.settings import EngineSettings
from race.situation import Situation

if TYPE_CHECKING:
    from race.history import History

KEEP = 3
"""Start points kept (the latest used): a few settings switched between, ~8 MB each."""
PACKAGES = ("race", "feeds", "tui")
"""Ardoise's code: a file of it changed (a new version, an edit) is another key."""
PREFIX = "start-"
BAKED_FOLDER = Path(__file__).resolve().parent / "startpoints"
"""Start points built with the package (`tui.bake`); absent from a source checkout."""


def default_folder() -> Path:
    """The user's cache folder for Ardoise (platformdirs; created when a point is kept)."""
    import platformdirs

    return platformdirs.user_cache_path("ardoise")


def code_stamps() -> tuple[str, str]:
    """Each of Ardoise's source files with its size and time, then with its size only (for a
    start point built with the package: an install gives the files new times). Stat only, and
    no `pathlib` (which took four times as long: 2 % of a launch)."""
    timed: list[str] = []
    sized: list[str] = []
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for package in PACKAGES:
        for folder, folders, files in os.walk(os.path.join(root, package)):
            folders[:] = sorted(name for name in folders if name != "__pycache__")
            where = os.path.relpath(folder, root).replace(os.sep, "/")
            for file in sorted(name for name in files if name.endswith(".py")):
                stat = os.stat(os.path.join(folder, file))
                timed.append(f"{where}/{file} {stat.st_size} {stat.st_mtime_ns}")
                sized.append(f"{where}/{file} {stat.st_size}")
    return "\n".join(timed), "\n".join(sized)


@dataclass(frozen=True)
class TakenUp:
    history: History
    """The engine at the start point, with what it was given before."""
    feed_point: bytes
    """The feed's state there, for `Resumable.start_from`."""


@dataclass(frozen=True)
class Restored:
    situation: Situation
    """The race at the start point: what the first picture shows."""
    path: Path
    offset: int
    """Where in `path` the engine and the feed's state are, pickled (`take_up`)."""

    def take_up(self) -> TakenUp | None:
        """The engine and the feed's state at the start point (imports the engine's modules);
        None when they cannot be read (never fatal: the replay is then played from its start)."""
        from race.history import History, no_collection

        try:
            with self.path.open("rb") as file:
                file.seek(self.offset)
                packed = file.read()
            with no_collection():  # Long-lived objects: a collection would find none to free.
                history, feed_point = pickle.loads(packed)
        except Exception:  # Gone, damaged, or of another version: never fatal.
            return None
        if not isinstance(history, History) or not isinstance(feed_point, bytes):
            return None
        return TakenUp(history, feed_point)


class StartPoints:
    """Where a replay's start point is kept, for one set of settings."""

    def __init__(
        self, folder: Path, key: str, baked: Path | None = None, baked_key: str = ""
    ) -> None:
        """
        Args:
            folder: the user's cache folder, where points are kept.
            key: what the point kept there depends on.
            baked: the folder of the points built with the package (None: not looked at).
            baked_key: what a point built with the package must have been built for.
        """
        self.key = key
        self.path = folder / file_name(key)
        self.baked_key = baked_key
        self.baked = baked / file_name(baked_key) if baked is not None else None
        self._writer: threading.Thread | None = None

    @classmethod
    def for_launch(
        cls,
        adapter: FeedAdapter,
        settings: EngineSettings,
        marks_file: Path | None,
        folder: Path | None = None,
        baked: Path | None = BAKED_FOLDER,
    ) -> StartPoints | None:
        """The start points of this launch; None when the feed has none to keep (live, no
        skip, quirks)."""
        feed_key = adapter.start_point_key() if isinstance(adapter, Resumable) else None
        if feed_key is None:
            return None
        try:
            marks = marks_file.read_bytes().hex() if marks_file is not None else ""
        except FileNotFoundError:
            marks = ""  # None saved yet: as without a marks file.
        except OSError:
            marks = "unreadable"  # The marks are then not used: a key of its own.
        common = "\n".join(
            [
                # The engine's models are pydantic's: unpickled by the same versions only.
                f"{sys.version} pydantic {pydantic.VERSION} {pydantic_core.__version__}",
                feed_key,
                settings.model_dump_json(),
                f"marks {marks}",
            ]
        )
        timed, sized = code_stamps()
        return cls(
            folder if folder is not None else default_folder(),
            f"{common}\n{timed}",
            baked,
            f"{common}\nbuilt with the package\n{sized}",
        )

    def load(self) -> Restored | None:
        """The start point kept for these settings, else the one built with the package for
        them; None when there is none or it cannot be used (a kept one is then removed)."""
        restored = _read(self.path, self.key)
        if restored is not None:
            os.utime(self.path)  # Used: the last to be pruned.
            return restored
        if self.path.exists():
            self.path.unlink(missing_ok=True)  # A damaged or foreign file in a cache.
        return _read(self.baked, self.baked_key) if self.baked is not None else None

    def bake(self, history: History, feed_point: bytes) -> Path:
        """Write the start point as one built with the package (`tui.bake`), into the folder
        of those (`baked`); returns its file."""
        path = self.baked
        if path is None:
            raise ValueError("no folder for start points built with the package")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_pickled(self.baked_key, history, feed_point))
        return path

    def keep(self, history: History, feed_point: bytes) -> None:
        """Keep the start point: the history is pickled now (it changes with the next event)
        and written by a thread of its own; a folder that cannot be written only
        means the next launch plays the skip again."""
        pickled = _pickled(self.key, history, feed_point)
        self._writer = threading.Thread(
            target=self._write, args=(pickled,), name="ardoise-start-point", daemon=True
        )
        self._writer.start()

    def wait(self) -> None:
        """Until the start point being kept is written (tests, the end of the app)."""
        if self._writer is not None:
            self._writer.join()

    def _write(self, pickled: bytes) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".start-")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as file:
                # Not compressed again: the history's entries and checkpoints are already,
                # and inflating the whole took longer than reading it.
                file.write(pickled)
            os.replace(temporary, self.path)  # Whole or not at all: a reader never sees half.
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            return
        _prune(folder)


def file_name(key: str) -> str:
    """The file of the start point for `key`."""
    return f"{PREFIX}{hashlib.sha256(key.encode()).hexdigest()[:24]}.pickle"


def _pickled(key: str, history: History, feed_point: bytes) -> bytes:
    """A start point's file: its key and the situation there, pickled, then the engine and the
    feed's state pickled on their own (read only after the first picture: 8 MB)."""
    head = pickle.dumps((key, history.race.situation), protocol=pickle.HIGHEST_PROTOCOL)
    return head + pickle.dumps((history, feed_point), protocol=pickle.HIGHEST_PROTOCOL)


def _read(path: Path, key: str) -> Restored | None:
    """The start point in `path` when it is one for `key`; None when there is none, it is for
    another key, or it cannot be read (never fatal)."""
    try:
        with path.open("rb") as file:
            found, situation = pickle.load(file)  # The head only.
            offset = file.tell()
    except Exception:  # Missing, damaged, or of another version: never fatal.
        return None
    if found != key or not isinstance(situation, Situation):
        return None
    return Restored(situation, path, offset)


def _prune(folder: Path) -> None:
    """Keep the `KEEP` start points used last."""
    try:
        points = sorted(
            folder.glob(f"{PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in points[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # Another launch pruning at the same time: one of them does it.
