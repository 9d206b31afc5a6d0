"""The installed `ardoise` command in a real terminal, driven through tmux."""

from __future__ import annotations

import re
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
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never matched:\n{screen}")
            time.sleep(0.1)


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
    command = f"env XDG_CONFIG_HOME={tmp_path} {ARDOISE}; echo $? > {status_file}; sleep 5"
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
    time.sleep(1.5)
    assert term.screen() != first, "the screen changes as the race goes on"

    term.press("p")
    paused = term.wait_for(lambda s: "paused" in s, timeout=5)
    clock = race_clock(paused)
    time.sleep(2.0)
    assert race_clock(term.screen()) == clock, "the race clock stops while paused"

    term.press("p")
    term.wait_for(lambda s: "paused" not in s and race_clock(s) != clock, timeout=10)

    term.press("q")
    deadline = time.monotonic() + 10
    while not status_file.exists() or not status_file.read_text().strip():
        assert time.monotonic() < deadline, "ardoise did not exit after q"
        time.sleep(0.1)
    assert status_file.read_text().strip() == "0"
