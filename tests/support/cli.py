"""Running the `ardoise` command line as a user would, in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


SERVING = re.compile(r"on (https?://127\.0\.0\.1:\d+) ")
"""The first line a serving command writes: where it listens."""


@contextmanager
def ardoise_serving(
    command: str, config: Path, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`ardoise COMMAND --config CONFIG --port 0` in its own process until the block ends
    (`serve`, `web`); yields the URL it listens on, and the process. Its standard error is read
    on as it comes: a full pipe would block it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", command, "--config", str(config), "--port", "0", *extra],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = SERVING.search(line)
        assert found, f"ardoise {command} did not start: {line}{process.stderr.read()}"
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield found.group(1), process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
