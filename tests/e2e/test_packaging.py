"""The wheel carries the embedded default's start point (`hatch_build.py`, `tui.bake`), and it
is the one a first launch on the default configuration looks for: the very first launch after
an install opens on the race at once."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tui.assembly import build_feed, engine_settings
from tui.config import load_config
from tui.marks import configured_store
from tui.startpoint import StartPoints

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def fresh_user(home: Path) -> dict[str, str]:
    """The environment of a user who never ran Ardoise: empty folders, no `ARDOISE_`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ARDOISE_")}
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    return env


def test_the_wheel_has_the_start_point_a_first_launch_looks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hatchling", reason="hatchling builds the wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))",
            str(tmp_path / "dist"),
        ],
        cwd=ROOT,
        env=fresh_user(tmp_path / "builder"),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    wheel = tmp_path / "dist" / built.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as archive:
        points = [n for n in archive.namelist() if n.startswith("tui/startpoints/start-")]
        assert len(points) == 1, archive.namelist()
        baked = tmp_path / "baked"
        archive.extract(points[0], baked)

    # A first launch, as `ardoise` makes it (tui.cli), with the package's points in `baked`.
    for name, value in fresh_user(tmp_path / "user").items():
        monkeypatch.setenv(name, value)
    for name in [name for name in os.environ if name.startswith("ARDOISE_")]:
        monkeypatch.delenv(name)
    loaded = load_config(None)
    settings = engine_settings(loaded)
    marks = configured_store(
        loaded.config.riders.marks_folder, loaded.base_dir("riders.marks_folder")
    )
    launch = StartPoints.for_launch(
        build_feed(loaded), settings, marks.path, baked=baked / "tui" / "startpoints"
    )
    assert launch is not None
    assert launch.baked == baked / points[0]
    restored = launch.load()
    assert restored is not None, "the point is for this launch's settings, versions and code"
    head = restored.situation.head_km_to_finish
    assert head is not None
    assert head > 45.0  # Just before the skip's end: the next frame is the first drawn.
    taken_up = restored.take_up()
    assert taken_up is not None
    assert taken_up.history.race.situation == restored.situation


def test_the_build_hook_runs_the_pydantic_the_app_runs() -> None:
    """The start point is kept by pydantic's version: the bake asks for the same."""

    def pydantic(requirements: list[str]) -> str:
        return next(r for r in requirements if r.startswith("pydantic"))

    hook = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]
    assert pydantic(hook["dependencies"]) == pydantic(PYPROJECT["project"]["dependencies"])
