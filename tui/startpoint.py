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

import pydantic
import pydantic_core

from feeds.base import FeedAdapter, Resumable
from race.history import History
from race.settings import EngineSettings

KEEP = 3
"""Start points kept (the latest used): a few settings switched between, ~8 MB each."""
PACKAGES = ("race", "feeds", "tui")
"""Ardoise's code: a file of it changed (a new version, an edit) is another key."""
PREFIX = "start-"


def default_folder() -> Path:
    """The user's cache folder for Ardoise (platformdirs; created when a point is kept)."""
    import platformdirs

    return platformdirs.user_cache_path("ardoise")


def code_stamp() -> str:
    """Each of Ardoise's source files with its size and time (stat only: ~2 ms)."""
    parts: list[str] = []
    root = Path(__file__).resolve().parent.parent
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            stat = path.stat()
            parts.append(f"{path.relative_to(root)} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(parts)


@dataclass(frozen=True)
class Restored:
    history: History
    """The engine at the start point, with what it was given before."""
    feed_point: bytes
    """The feed's state there, for `Resumable.start_from`."""


class StartPoints:
    """Where a replay's start point is kept, for one set of settings."""

    def __init__(self, folder: Path, key: str) -> None:
        self.key = key
        self.path = folder / f"{PREFIX}{hashlib.sha256(key.encode()).hexdigest()[:24]}.pickle"
        self._writer: threading.Thread | None = None

    @classmethod
    def for_launch(
        cls,
        adapter: FeedAdapter,
        settings: EngineSettings,
        marks_file: Path | None,
        folder: Path | None = None,
    ) -> StartPoints | None:
        """The start points of this launch; None when the feed has none to keep (live, no
        skip, quirks)."""
        feed_key = adapter.start_point_key() if isinstance(adapter, Resumable) else None
        if feed_key is None:
            return None
        try:
            marks = marks_file.read_bytes().hex() if marks_file is not None else ""
        except OSError:
            marks = "unreadable"  # The marks are then not used: a key of its own.
        key = "\n".join(
            [
                # The engine's models are pydantic's: unpickled by the same versions only.
                f"{sys.version} pydantic {pydantic.VERSION} {pydantic_core.__version__}",
                feed_key,
                settings.model_dump_json(),
                f"marks {marks}",
                code_stamp(),
            ]
        )
        return cls(folder if folder is not None else default_folder(), key)

    def load(self) -> Restored | None:
        """The start point kept for these settings; None when there is none or it cannot be
        used (then it is removed)."""
        try:
            packed = self.path.read_bytes()
        except OSError:
            return None
        try:
            key, history, feed_point = pickle.loads(packed)
            if key != self.key or not isinstance(history, History):
                raise ValueError("another start point")
            if not isinstance(feed_point, bytes):
                raise ValueError("no feed state")
        except Exception:  # A damaged or foreign file in a cache: never fatal.
            self.path.unlink(missing_ok=True)
            return None
        os.utime(self.path)  # Used: the last to be pruned.
        return Restored(history, feed_point)

    def keep(self, history: History, feed_point: bytes) -> None:
        """Keep the start point: the history is pickled now (it changes with the next event)
        and written by a thread of its own; a folder that cannot be written only
        means the next launch plays the skip again."""
        pickled = pickle.dumps((self.key, history, feed_point), protocol=pickle.HIGHEST_PROTOCOL)
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
