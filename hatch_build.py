"""The wheel's build hook: the embedded default's start point built into the package
(`tui.bake`), so that the very first launch opens on the race at once.

Ardoise's own code runs here, in a process of its own (`python -m tui.bake`), on the source
tree being built. A bake that fails only warns: the wheel is built without the start point and
the first launch plays the skip. Editable installs get none (their code changes under them).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BAKE_TIMEOUT_S = 300.0


# Generic from hatchling 1.33 on; the bare name still works with the versions before it.
class StartPointHook(BuildHookInterface):  # type: ignore[type-arg, unused-ignore]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        # The bake reads the embedded default alone (no user's file, no `ARDOISE_` variable).
        self._folder = points = Path(tempfile.mkdtemp(prefix="ardoise-bake-"))
        try:
            done = subprocess.run(
                [sys.executable, "-m", "tui.bake", str(points)],
                cwd=self.root,
                capture_output=True,
                text=True,
                timeout=BAKE_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            self.app.display_warning(f"ardoise: no start point built into the wheel: {error}")
            return
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            self.app.display_warning(f"ardoise: no start point built into the wheel: {last}")
            return
        for path in sorted(points.glob("start-*.pickle")):
            build_data["force_include"][str(path)] = f"tui/startpoints/{path.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
