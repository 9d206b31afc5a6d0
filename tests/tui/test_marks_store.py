"""The marks file (`tui.marks`): per race, written whole, a bad file said once and ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from race.models import Stage
from tui.config import load_config
from tui.marks import (
    FILE_NAME,
    MarkStore,
    RaceMarks,
    configured_store,
    default_folder,
    race_key,
)

TOUR = Stage(race="Tour de France", year=2026, number=5, distance_km=158.3)


def test_the_race_is_its_name_and_year() -> None:
    assert race_key(TOUR) == "Tour de France 2026"
    nameless = Stage(race=" ", year=2026, number=3, start="A", finish="B", distance_km=100)
    assert race_key(nameless) == "Stage 3 A › B 2026"


def test_saved_marks_come_back_per_race(tmp_path: Path) -> None:
    store = MarkStore(tmp_path / "state")
    assert store.load("Tour de France 2026") is None
    assert store.save("Tour de France 2026", [14, 11, 14])
    assert store.save("Giro d'Italia 2026", [])
    again = MarkStore(tmp_path / "state")
    assert again.load("Tour de France 2026") == (11, 14)
    assert again.load("Giro d'Italia 2026") == ()  # Every rider unmarked: remembered.
    assert again.take_problem() is None
    assert not list((tmp_path / "state").glob(".marks.json.*"))  # No temporary left.


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not JSON"),
        ('{"version": 2, "races": {}}', "not a marks file of version 1"),
        ('{"version": 1, "races": []}', '"races" is not a table'),
        ('{"version": 1, "races": {"Tour": [1, "x"]}}', "the marks of 'Tour' are not a list"),
        ('{"version": 1, "races": {"Tour": [true]}}', "the marks of 'Tour' are not a list"),
    ],
)
def test_a_bad_file_is_said_once_and_ignored(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / FILE_NAME).write_text(content, encoding="utf-8")
    store = MarkStore(tmp_path)
    assert store.load("Tour") is None
    problem = store.take_problem()
    assert problem is not None
    assert reason in problem
    assert str(tmp_path / FILE_NAME) in problem
    assert store.load("Tour") is None
    assert store.take_problem() is None  # Once.
    assert store.save("Tour", [5])  # The next mark rewrites it.
    assert json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))["races"] == {"Tour": [5]}


def test_a_file_that_cannot_be_written_is_said_never_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    store = MarkStore(blocker / "state")
    assert not store.save("Tour", [5])
    problems = []
    while (problem := store.take_problem()) is not None:
        problems.append(problem)
    assert any(p.startswith(f"Marks not saved to {blocker}") for p in problems), problems
    assert store.load("Tour") == (5,)  # Kept for this run.


def test_a_new_race_takes_its_saved_marks_else_the_configs(tmp_path: Path) -> None:
    store = MarkStore(tmp_path)
    store.save("Tour de France 2026", [7])
    marks = RaceMarks(store, initial=(3, 4))
    assert marks.for_stage(None) is None
    assert marks.for_stage(TOUR) == (7,)
    assert marks.for_stage(TOUR.model_copy(update={"number": 6})) is None  # Same race.
    giro = TOUR.model_copy(update={"race": "Giro d'Italia"})
    assert marks.for_stage(giro) == (3, 4)
    marks.save([9])
    assert MarkStore(tmp_path).load("Giro d'Italia 2026") == (9,)
    assert RaceMarks(None, initial=(3,)).for_stage(TOUR) is None  # Nowhere to keep them.


def test_the_folder_is_configured_relative_to_its_file_or_the_users_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[riders]\nmarks_folder = "kept"\n', encoding="utf-8")
    loaded = load_config(config)
    folder = loaded.config.riders.marks_folder
    store = configured_store(folder, loaded.base_dir("riders.marks_folder"))
    assert store.path == tmp_path / "kept" / FILE_NAME
    monkeypatch.setenv("ARDOISE_RIDERS__MARKS_FOLDER", str(tmp_path / "env"))
    loaded = load_config(config)
    folder = loaded.config.riders.marks_folder
    assert configured_store(folder, Path.cwd()).path == tmp_path / "env" / FILE_NAME
    assert configured_store(None, tmp_path).path == default_folder() / FILE_NAME
