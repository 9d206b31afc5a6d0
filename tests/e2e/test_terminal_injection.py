"""A feed cannot drive the terminal: names made of escape sequences, run in a real one (tmux).

The recording is a Race Center recording of the simulated flat stage's first half hour in which
every rider's and team's name and the stage's places carry a sequence: one sets the terminal's
title ("pwned"), one leaves the alternate screen, one clears it. Shown raw, they do all three
(the first test checks that tmux obeys them, so the others can be trusted).
"""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from feeds.simulation import simulate
from feeds.text import PLACEHOLDER
from race.models import StartList, Telemetry
from tests.e2e.test_terminal import ARDOISE, TMUX, Terminal, end_server, poll, tmux
from tests.support.cli import run_ardoise
from tests.support.hostile import SEQUENCES, hostile_start_list, write_racecenter
from tests.support.stages import SEED

pytestmark = [pytest.mark.slow, pytest.mark.tmux]

EVENTS = 400
"""The start list and the first frames: the break goes clear and is named within them."""
TITLE = "before-the-feed"
LEFTOVERS = ("pwned", "1049", "[2J", "]0;")
"""What would be on screen if a sequence were only partly removed."""


@pytest.fixture(scope="module")
def stage() -> StartList:
    start = next(iter(simulate("flat", SEED)))
    assert isinstance(start, StartList)
    return start


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, stage: StartList) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    events = list(islice(simulate("flat", SEED), EVENTS))
    frames = [e for e in events if isinstance(e, Telemetry)]
    write_racecenter(folder / "hostile.json.gz", hostile_start_list(stage), frames)
    path = folder / "config.toml"
    path.write_text(
        '[feed]\nadapter = "recording"\npath = "hostile.json.gz"\nspeed = 0\n', encoding="utf-8"
    )
    return path


def named(text: str, stage: StartList) -> bool:
    """Whether `text` shows a rider's family name, cleaned (the break is named as it goes)."""
    return any(f"{PLACEHOLDER}{rider.last_name}" in text for rider in stage.riders)


def pane(session: str, what: str) -> str:
    return tmux(session, "display", "-p", "-t", session, what).strip()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A tmux session whose command starts once `go` exists (its title set before), and the
    path of `go`."""
    if TMUX is None:
        pytest.skip("tmux is not installed (CI installs it with apt-get)")
    name = f"ardoise-inject-{uuid.uuid4().hex[:8]}"
    go = tmp_path / "go"
    yield name, go
    end_server(name)


def start(session: str, go: Path, command: str) -> None:
    wait = f"until [ -e {shlex.quote(str(go))} ]; do sleep 0.05; done"
    tmux(session, "new-session", "-d", "-s", session, "-x", "160", "-y", "40", f"{wait}; {command}")
    tmux(session, "select-pane", "-t", session, "-T", TITLE)
    assert pane(session, "#{pane_title}") == TITLE
    go.touch()


def test_tmux_obeys_the_sequences_when_they_are_printed_raw(
    session: tuple[str, Path], tmp_path: Path
) -> None:
    """The control: printed as they are, the names retitle the pane and leave the alternate
    screen (so the checks of the next test would see an attack get through)."""
    name, go = session
    raw = tmp_path / "raw"
    raw.write_text("\x1b[?1049h" + "".join(SEQUENCES) + "VISIBLE", encoding="utf-8")
    start(name, go, f"cat {shlex.quote(str(raw))}; sleep 30")
    assert poll(lambda: pane(name, "#{pane_title}") == "pwned", 10)
    assert pane(name, "#{alternate_on}") == "0"


def test_hostile_names_cannot_drive_the_terminal(
    session: tuple[str, Path], config: Path, stage: StartList
) -> None:
    if not ARDOISE.exists():
        pytest.skip(f"the ardoise command is not installed beside {ARDOISE.parent}")
    name, go = session
    command = f"env XDG_CONFIG_HOME={shlex.quote(str(go.parent))} {ARDOISE} --config {config}"
    start(name, go, f"{command}; sleep 30")
    term = Terminal(name)
    place = f"{PLACEHOLDER}{stage.stage.start}"
    screen = term.wait_for(lambda s: place in s and named(s, stage) and "RACE RADIO" in s)
    # Every frame has been read (speed 0): the screen stays as it is, names shown cleaned.
    assert pane(name, "#{alternate_on}") == "1"
    assert pane(name, "#{pane_title}") == TITLE
    assert f"{PLACEHOLDER}{stage.stage.finish}{PLACEHOLDER}" in screen
    assert not [bit for bit in LEFTOVERS if bit in screen], screen
    term.press("q")
    assert poll(lambda: pane(name, "#{alternate_on}") == "0", 10), "ardoise did not exit on q"
    assert pane(name, "#{pane_title}") == TITLE


def test_situation_text_carries_no_sequence(config: Path, stage: StartList) -> None:
    result = run_ardoise("situation", "--config", str(config))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "\x1b" not in text
    assert "\x07" not in text
    assert not [bit for bit in LEFTOVERS if bit in text]
    assert f"{PLACEHOLDER}{stage.stage.start} › {PLACEHOLDER}{stage.stage.finish}" in text
    assert named(text, stage)
