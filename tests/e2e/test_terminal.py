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
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.tmux]

TMUX = shutil.which("tmux")


def tmux(session: str, *args: str) -> str:
    """`tmux args` on the session's own server, named after it: another user's `tmux
    kill-server` cannot end it, and a session ending (its server with it) cannot race the
    next test's start on a shared server."""
    return subprocess.run(
        ["tmux", "-L", session, *args], capture_output=True, text=True, check=True
    ).stdout


def end_server(session: str) -> None:
    subprocess.run(["tmux", "-L", session, "kill-server"], capture_output=True)


ARDOISE = Path(sys.executable).parent / "ardoise"
CLOCK = re.compile(r"\b(\d\d:\d\d:\d\d)\b")
GAP = re.compile(r"\+\d+:\d\d\b")


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def screen(self) -> str:
        return tmux(self.session, "capture-pane", "-p", "-t", self.session)

    def press(self, key: str) -> None:
        tmux(self.session, "send-keys", "-t", self.session, key)

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


@contextmanager
def default_terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    """`ardoise` on the embedded default in a tmux session of its own, its configuration and
    cache folders in `tmp_path`; the file its exit status is written to."""
    if TMUX is None:
        pytest.skip("tmux is not installed (CI installs it with apt-get)")
    if not ARDOISE.exists():
        pytest.skip(f"the ardoise command is not installed beside {sys.executable}")
    session = f"ardoise-test-{uuid.uuid4().hex[:8]}"
    status_file = tmp_path / "status"
    status_file.unlink(missing_ok=True)
    env = f"XDG_CONFIG_HOME={tmp_path} XDG_CACHE_HOME={tmp_path / 'cache'}"
    if "PYTHONPATH" in os.environ:
        # A tmux server already running has its own environment: pass on the tests' own path.
        env += f" PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])}"
    command = f"env {env} {ARDOISE}; echo $? > {status_file}; sleep 5"
    tmux(session, "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        yield Terminal(session), status_file
    finally:
        end_server(session)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    with default_terminal(tmp_path) as launched:
        yield launched


def race_on_screen(screen: str) -> bool:
    return all(t in screen for t in ("TIME GAPS", "TIME LIMIT", "LEAD-OUT")) and bool(
        GAP.search(screen)
    )


def quit_with(term: Terminal, status_file: Path) -> str:
    """Press q; the command's exit status."""
    term.press("q")
    exited = poll(lambda: status_file.exists() and status_file.read_text().strip() != "", 10)
    assert exited, "ardoise did not exit after q"
    return status_file.read_text().strip()


def test_ardoise_in_a_real_terminal(terminal: tuple[Terminal, Path]) -> None:
    term, status_file = terminal
    first = term.wait_for(race_on_screen)
    term.wait_for(lambda s: s != first, timeout=5)  # The screen changes as the race goes on.

    term.press("p")
    paused = term.wait_for(lambda s: "paused" in s, timeout=5)
    clock = race_clock(paused)
    # The replay runs at 20x: a race clock that still ran would move within 2 s.
    term.holds(lambda s: race_clock(s) == clock, for_s=2.0)

    term.press("p")
    term.wait_for(lambda s: "paused" not in s and race_clock(s) != clock, timeout=10)

    assert quit_with(term, status_file) == "0"


def test_a_second_launch_starts_at_the_start_point_the_first_kept(tmp_path: Path) -> None:
    """The first launch keeps its start point in the cache folder (written before it exits);
    the second restores it (using it sets its time) and shows the race from there."""
    with default_terminal(tmp_path) as (term, status_file):
        term.wait_for(race_on_screen)
        assert quit_with(term, status_file) == "0"
    kept = list((tmp_path / "cache" / "ardoise").glob("start-*.pickle"))
    assert len(kept) == 1, kept
    os.utime(kept[0], (1_000_000, 1_000_000))
    with default_terminal(tmp_path) as (term, status_file):
        shown = term.wait_for(race_on_screen)
        assert "km to go" in shown.splitlines()[1]
        assert quit_with(term, status_file) == "0"
    assert kept[0].stat().st_mtime > 1_000_000, "the second launch did not use the start point"


@contextmanager
def small_terminal(tmp_path: Path, config: str) -> Iterator[Terminal]:
    """`ardoise --config` at 80x24 in a tmux session of its own."""
    if TMUX is None:
        pytest.skip("tmux is not installed (CI installs it with apt-get)")
    if not ARDOISE.exists():
        pytest.skip(f"the ardoise command is not installed beside {sys.executable}")
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    session = f"ardoise-test-{uuid.uuid4().hex[:8]}"
    env = f"XDG_CONFIG_HOME={tmp_path}"
    if "PYTHONPATH" in os.environ:
        env += f" PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])}"
    command = f"env {env} {ARDOISE} --config {shlex.quote(str(path))}; sleep 5"
    tmux(session, "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        yield Terminal(session)
    finally:
        end_server(session)


def test_mountain_outside_rows_on_screen_at_80x24(tmp_path: Path) -> None:
    """Near 20 km to go on the mountain stage, both groups outside the time limit show, in
    the time-limit panel."""
    config = '[feed]\nspeed = 5\n[feed.simulated]\nscenario = "mountain"\nskip_to_km = 21\n'
    with small_terminal(tmp_path, config) as term:
        screen = term.wait_for(lambda s: s.count("✗ OUTSIDE") >= 2, timeout=60)
        lines = screen.splitlines()
        limit = next(i for i, row in enumerate(lines) if "TIME LIMIT" in row)
        leadout = next(i for i, row in enumerate(lines) if "LEAD-OUT" in row)
        outside = [i for i, row in enumerate(lines) if "✗ OUTSIDE" in row]
        assert all(limit < i < leadout for i in outside), screen


TRAIN_ROW = re.compile(r"^ ?[A-Z]{2,4}\b")


def test_flat_finale_no_popup_over_the_leadout_at_80x24(tmp_path: Path) -> None:
    """In the flat finale with my team, every row of the lead-out panel is its own (its
    info, a train, a count) while my team's alert pops up on its own row."""
    config = (
        # From 2 km to go at 20x: the wheel loss at 1.1 km pops up about 3 s in, for 3 s.
        '[feed]\nspeed = 20\n[feed.simulated]\nscenario = "flat"\nskip_to_km = 2\n'
        '[team]\ncode = "CDC"\n'
    )
    with small_terminal(tmp_path, config) as term:
        popped: list[str] = []

        def leadout_whole(screen: str) -> bool:
            lines = screen.splitlines()
            start = next((i for i, row in enumerate(lines) if "LEAD-OUT" in row), None)
            end = next((i for i, row in enumerate(lines) if "RACE RADIO" in row), None)
            if start is None or end is None:
                return True  # The radio may give its rows up: checked with the info row.
            rows = [r for r in lines[start + 1 : end] if r.strip()]
            for row in rows[1:]:
                assert TRAIN_ROW.match(row) or row.lstrip().startswith("+"), screen
            if "lost the wheel of" in lines[-2]:
                popped.append(lines[-2])
            return True

        term.wait_for(lambda s: "km to go ·" in s, timeout=60)
        # Every screen is checked from the start point until the alert has popped up, then
        # while it is up.
        term.wait_for(lambda s: leadout_whole(s) and bool(popped), timeout=60)
        term.holds(leadout_whole, for_s=1.0)
