"""Running the `ardoise` command line as a user would, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.stages import ROOT


def run_ardoise(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would (the screen never opens on a bad config)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ARDOISE_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=environ,
        stdin=subprocess.DEVNULL,
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_config_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("ardoise: configuration error: ")
    for text in expected:
        assert text in lines[0]


def situation_json(*args: str, config: Path | None = None) -> dict[str, Any]:
    """`ardoise situation --json [--config FILE] ARGS...`, parsed; it must succeed."""
    options = ["--config", str(config)] if config is not None else []
    result = run_ardoise("situation", *options, "--json", *args)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed
