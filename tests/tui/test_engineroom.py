"""The engine behind the screen (`tui.engineroom`): from a start point, the race is drawn from
the situation kept there and the engine is taken up only when first needed; a start point whose
engine cannot be read gives a new engine, never a failure."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

from feeds.base import Resumable
from race.engine import Race
from race.history import History
from race.models import Telemetry
from tests.support.imports import modules_after_import
from tests.support.stages import ROOT, engine_settings, stage_events
from tui.engineroom import EngineRoom
from tui.startpoint import Restored, StartPoints

FIRST_PICTURE = ["tui.cli", "tui.app", "tui.assembly", "tui.startpoint", "feeds.adapters.simulated"]
"""What `ardoise` imports before its first picture (`tui.cli._run_app`)."""


class Taken(Resumable):
    """A replay that says which state it was taken up at."""

    def __init__(self) -> None:
        self.point: bytes | None = None

    def start_point_key(self) -> str | None:
        return "test"

    def start_point(self) -> bytes | None:
        return None

    def start_from(self, point: bytes) -> None:
        self.point = point


def restored_after(folder: Path, frames: int) -> tuple[Restored, History]:
    """A start point kept in `folder` after the flat stage's first `frames` frames, and the
    history it keeps."""
    history = History(Race(engine_settings()))
    telemetry = [e for e in stage_events("flat") if isinstance(e, Telemetry)]
    for event in telemetry[:frames]:
        history.apply(event)
    points = StartPoints(folder, "test")
    points.keep(history, b"feed state")
    points.wait()
    restored = points.load()
    assert restored is not None
    return restored, history


def test_the_first_picture_needs_no_engine() -> None:
    loaded = modules_after_import(FIRST_PICTURE)
    engine = {"race.engine", "race.history", "race.tracking.field", "race.gaps.tracker"}
    assert not loaded & engine, sorted(loaded & engine)


def test_a_start_point_is_taken_up_when_first_needed(tmp_path: Path) -> None:
    restored, history = restored_after(tmp_path, 20)
    feed = Taken()
    room = EngineRoom(engine_settings(), restored=restored, resumable=feed)
    # What the first picture asks for: the situation, and whether the viewer is in the past.
    assert room.situation == restored.situation
    assert not room.in_past
    assert not room.taken_up
    assert feed.point is None
    assert len(room.history) == len(history)  # Wanted: taken up, the feed with it.
    assert room.taken_up
    assert feed.point == b"feed state"
    assert room.race.situation == history.race.situation
    assert not room.start_point_lost


def test_an_engine_that_cannot_be_read_is_a_new_one(tmp_path: Path) -> None:
    restored, _ = restored_after(tmp_path, 5)
    size = restored.path.stat().st_size
    with restored.path.open("r+b") as file:
        file.truncate(restored.offset + (size - restored.offset) // 2)
    feed = Taken()
    room = EngineRoom(engine_settings(), restored=restored, resumable=feed)
    room.take_up()
    assert room.start_point_lost
    assert len(room.history) == 0, "a new engine: the replay is played from its start"
    assert feed.point is None, "the feed is not taken up at a point the engine is not at"
    with restored.path.open("r+b") as file:
        file.truncate(restored.offset)
        file.seek(restored.offset)
        file.write(pickle.dumps(("not a history", b"feed")))
    assert restored.take_up() is None
    restored.path.unlink()
    assert restored.take_up() is None


def test_without_a_start_point_the_engine_is_there_at_once() -> None:
    race = Race(engine_settings())
    room = EngineRoom(engine_settings(), race=race)
    assert room.taken_up
    assert room.race is race
    assert room.situation is race.situation


def test_an_engine_taken_up_after_a_start_with_collection_off_is_frozen(tmp_path: Path) -> None:
    """As what `ardoise` holds at its first picture (`tui.collection`): long-lived, the engine
    is not walked by every full collection. Not after a start with collection on (tests). Each
    in a process of its own: a test leaves collection as it is."""
    code = (
        "import gc, sys\n"
        "from pathlib import Path\n"
        "from race.engine import Race\n"
        "from race.history import History\n"
        "from tests.support.stages import engine_settings\n"
        "from tui import collection\n"
        "from tui.engineroom import EngineRoom\n"
        "from tui.startpoint import StartPoints\n"
        "points = StartPoints(Path(sys.argv[1]), 'test')\n"
        "points.keep(History(Race(engine_settings())), b'feed')\n"
        "points.wait()\n"
        "if sys.argv[2] == 'off':\n"
        "    collection.off_while_starting()\n"
        "restored = points.load()\n"
        "collection.back_on()  # The first picture is drawn.\n"
        "before = gc.get_freeze_count()\n"
        "room = EngineRoom(engine_settings(), restored=restored)\n"
        "room.take_up()\n"
        "assert room.taken_up and not room.start_point_lost\n"
        "print(gc.get_freeze_count() - before)\n"
    )

    def frozen(start: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / start), start],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout)

    assert frozen("off") > 200, "the engine's objects (~290 for a new one) are frozen"
    assert frozen("on") <= 0
