"""Every stored snapshot shows something: an app whose stylesheet fails to load is recorded as
an empty window, and such a snapshot would pass whatever the screen shows."""

from __future__ import annotations

from pathlib import Path

import pytest

SNAPSHOTS = sorted((Path(__file__).parent / "__snapshots__").rglob("*.svg"))


@pytest.mark.parametrize("path", SNAPSHOTS, ids=[p.stem for p in SNAPSHOTS])
def test_the_snapshot_has_text(path: Path) -> None:
    assert path.read_text(encoding="utf-8").count("<text") >= 4, f"{path.name} is blank"
