"""Marks kept per race in the user's state folder, so that riders marked during one stage are
still marked at the next (and after a restart).

One JSON file, `marks.json`: `{"version": 1, "races": {"Tour de France 2026": [11, 14]}}`. A
race saved with no rider stays in the file: unmarking every rider is a choice to remember, over
`[team] marked`. A file that cannot be read is reported once and ignored, never fatal: the marks
then live for this run only until one is saved again (which rewrites the file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from race.models import Bib, Stage

FILE_NAME = "marks.json"
VERSION = 1


def race_key(stage: Stage) -> str:
    """The race a stage belongs to, as its marks are kept: "Tour de France 2026" (a feed that
    names no race: the stage's own name and year)."""
    name = stage.race.strip() or stage.name
    return f"{name} {stage.year}"


def default_folder() -> Path:
    """The user's state folder for Ardoise (platformdirs; created when a mark is saved)."""
    import platformdirs

    return platformdirs.user_state_path("ardoise")


def configured_store(folder: Path | None, base: Path) -> MarkStore:
    """The store `[riders] marks_folder` names (relative to `base`, the folder of the file
    that sets it), else the user's state folder."""
    return MarkStore(base / folder if folder is not None else default_folder())


class MarkStore:
    """The marks of every race in one file; `problem` says once why it could not be used."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._races: dict[str, tuple[Bib, ...]] | None = None
        self._problems: list[str] = []

    def take_problem(self) -> str | None:
        """What went wrong with the file since last asked (each said once), or None."""
        return self._problems.pop(0) if self._problems else None

    def load(self, race: str) -> tuple[Bib, ...] | None:
        """The marks saved for `race`, or None when none were saved (or the file is bad)."""
        return self._read().get(race)

    def save(self, race: str, bibs: Iterable[Bib]) -> bool:
        """Keep `bibs` as the marks of `race`; returns whether the file was written."""
        races = dict(self._read())
        races[race] = tuple(sorted(set(bibs)))
        self._races = races
        data = {"version": VERSION, "races": {k: list(v) for k, v in sorted(races.items())}}
        temporary = self.path.with_name(f".{FILE_NAME}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
            temporary.replace(self.path)  # Whole or not at all: never half a file.
        except OSError as error:
            self._problems.append(f"Marks not saved to {self.path}: {error.strerror or error}")
            return False
        return True

    def _read(self) -> dict[str, tuple[Bib, ...]]:
        if self._races is not None:
            return self._races
        self._races = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._races
        except (OSError, UnicodeDecodeError) as error:
            self._problems.append(f"Marks file {self.path} unreadable ({error}): ignored")
            return self._races
        try:
            self._races = _parse(text)
        except ValueError as error:
            self._problems.append(
                f"Marks file {self.path} ignored: {error} (it is rewritten at the next mark)"
            )
        return self._races


def _parse(text: str) -> dict[str, tuple[Bib, ...]]:
    """The file's races. Raises ValueError for anything but the expected shape."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f'not a marks file of version {VERSION} ({{"version": 1, "races": ...}})')
    races = data.get("races")
    if not isinstance(races, dict):
        raise ValueError('"races" is not a table')
    out: dict[str, tuple[Bib, ...]] = {}
    for race, bibs in races.items():
        if not isinstance(bibs, list) or not all(
            isinstance(b, int) and not isinstance(b, bool) and b >= 0 for b in bibs
        ):
            raise ValueError(f"the marks of {race!r} are not a list of bibs")
        out[race] = tuple(bibs)
    return out


class RaceMarks:
    """The app's side of the marks: the race followed, its saved marks, saving them, and what
    went wrong with the file (said once)."""

    def __init__(self, store: MarkStore | None, initial: Iterable[Bib]) -> None:
        """
        Args:
            store: where marks are kept (None: for this run only).
            initial: `[team] marked`, the marks of a race with none saved.
        """
        self.store = store
        self.initial = tuple(initial)
        self.race: str | None = None
        """The race followed, once its start list is seen."""

    def for_stage(self, stage: Stage | None) -> tuple[Bib, ...] | None:
        """The marks to apply when `stage` is of another race than the last (its saved marks,
        else `[team] marked`); None when nothing changes."""
        if self.store is None or stage is None:
            return None
        race = race_key(stage)
        if race == self.race:
            return None
        self.race = race
        saved = self.store.load(race)
        return saved if saved is not None else self.initial

    def save(self, bibs: Iterable[Bib]) -> None:
        """Keep `bibs` as the marks of the race followed."""
        if self.store is not None and self.race is not None:
            self.store.save(self.race, bibs)

    def problems(self) -> list[str]:
        """What went wrong with the file since last asked."""
        out: list[str] = []
        while self.store is not None and (problem := self.store.take_problem()):
            out.append(problem)
        return out
