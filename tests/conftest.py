"""Fixtures shared by every tier of tests."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own config or cache folder, or ARDOISE_ variables."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in list(os.environ):
        if name.startswith("ARDOISE_"):
            monkeypatch.delenv(name)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Garbage collection tuned for this suite: its simulated stages are a million objects each
    (kept per test process, see `tests.support.stages.kept`), and full collections walking the
    objects alive took a fifth of the tests' time. What exists once the tests are collected (the
    modules) is left out of every collection, and the collector runs less often."""
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """One full collection (what it finds is reported, as pytest does), then the survivors are
    left out of pytest's own collections at exit: five more passes over every object."""
    gc.collect()
    gc.freeze()
