"""The installed `ardoise` command in a real terminal, driven through tmux."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.tmux]

TMUX = shutil.which("tmux")
ARDOISE = Path(sys.executable).parent / "ardoise"
CLOCK = re.compile(r"\b(\d\d:\d\d:\d\d)\b")
GAP = re.compile(r"\+\d+:\d\d\b")


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def press(self, key: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, key], check=True)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 20.0) -> str:
        """The first screen that meets `condition`, polled for up to `timeout` seconds."""
        screens: list[str] = []

        def met() -> bool:
            screens.append(self.screen())
            return condition(screens[-1])

        if not poll(met, timeout):
            raise AssertionError(f"screen never matched:\n{screens[-1]}")
        return screens[-1]

    def holds(self, condition: Callable[[str], bool], for_s: float) -> None:
        """Assert that every screen for `for_s` seconds meets `condition`."""
        screens: list[str] = []

        def broken() -> bool:
            screens.append(self.screen())
            return not condition(screens[-1])

        if poll(broken, for_s):
            raise AssertionError(f"condition no longer holds:\n{screens[-1]}")


def poll(condition: Callable[[], bool], timeout: float) -> bool:
    """Whether `condition()` becomes true within `timeout` seconds (checked every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def race_clock(screen: str) -> str:
    second_line = screen.splitlines()[1]
    found = CLOCK.search(second_line)
    assert found, second_line
    return found.group(1)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    if TMUX is None:
        pytest.skip("tmux is not installed (CI installs it with apt-get)")
    if not ARDOISE.exists():
        pytest.skip(f"the ardoise command is not installed beside {sys.executable}")
    session = f"ardoise-test-{uuid.uuid4().hex[:8]}"
    status_file = tmp_path / "status"
    env = f"XDG_CONFIG_HOME={tmp_path}"
    if "PYTHONPATH" in os.environ:
        # A tmux server already running has its own environment: pass on the tests' own path.
        env += f" PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])}"
    command = f"env {env} {ARDOISE}; echo $? > {status_file}; sleep 5"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command],
        check=True,
    )
    try:
        yield Terminal(session), status_file
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_ardoise_in_a_real_terminal(terminal: tuple[Terminal, Path]) -> None:
    term, status_file = terminal
    first = term.wait_for(
        lambda s: (
            all(t in s for t in ("TIME GAPS", "TIME LIMIT", "LEAD-OUT"))
            and GAP.search(s) is not None
        )
    )
    term.wait_for(lambda s: s != first, timeout=5)  # The screen changes as the race goes on.

    term.press("p")
    paused = term.wait_for(lambda s: "paused" in s, timeout=5)
    clock = race_clock(paused)
    # The replay runs at 20x: a race clock that still ran would move within 2 s.
    term.holds(lambda s: race_clock(s) == clock, for_s=2.0)

    term.press("p")
    term.wait_for(lambda s: "paused" not in s and race_clock(s) != clock, timeout=10)

    term.press("q")
    exited = poll(lambda: status_file.exists() and status_file.read_text().strip() != "", 10)
    assert exited, "ardoise did not exit after q"
    assert status_file.read_text().strip() == "0"
