"""`ardoise situation` on a network feed that never delivers gives up after `--timeout`, with one
line saying what it waited for, and exit status 1: a script waiting on it always gets an answer."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from feeds.base import FeedAdapter, FeedOptions
from race.models import FeedEvent, FeedStatus
from tests.support.cli import run_ardoise, write
from tests.support.liveserver import free_port, stage_events
from tests.support.stages import engine_settings
from tui.headless import FeedTimeout, read_situation

pytestmark = pytest.mark.slow

ADAPTERS = ("sse", "http", "racecenter")


def feed_config(tmp_path: Path, adapter: str, port: int) -> Path:
    base = f"http://127.0.0.1:{port}"
    where = f'base_url = "{base}"' if adapter == "racecenter" else f'url = "{base}/feed"'
    return write(tmp_path, f'[feed]\nadapter = "{adapter}"\n[feed.{adapter}]\n{where}\n')


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A server that accepts connections (the kernel completes them) and never sends a byte."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def assert_gave_up(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ardoise: feed error: no data for 1 s, giving up (last: ")
    assert expected in lines[0]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_an_unreachable_feed_gives_up_after_the_timeout(tmp_path: Path, adapter: str) -> None:
    config = feed_config(tmp_path, adapter, free_port())
    began = time.monotonic()
    result = run_ardoise("situation", "--config", str(config), "--timeout", "1", "--until", "1")
    took = time.monotonic() - began
    assert_gave_up(result, "reconnecting: cannot connect: connection refused")
    assert took < 20, "gave up long after the timeout"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_server_that_never_answers_gives_up_after_the_timeout(
    tmp_path: Path, adapter: str, silent_port: int
) -> None:
    config = feed_config(tmp_path, adapter, silent_port)
    result = run_ardoise("situation", "--config", str(config), "--timeout", "1", "--json")
    assert_gave_up(result, f"connecting to http://127.0.0.1:{silent_port}")


def test_the_timeout_is_a_number_of_seconds(tmp_path: Path) -> None:
    for bad in ("soon", "-1", "nan", "inf"):
        result = run_ardoise("situation", "--timeout", bad)
        assert result.returncode == 2, result.stderr
        assert f"argument --timeout: not a number of seconds: '{bad}'" in result.stderr
        assert "Traceback" not in result.stderr


class FallsSilent(FeedAdapter):
    """Sends a few events, then only statuses, then nothing, and never ends."""

    name: ClassVar[str] = "falls-silent"
    Options: ClassVar[type[FeedOptions]] = FeedOptions
    closed = False

    async def events(self) -> AsyncIterator[FeedEvent]:
        for event in stage_events(3):
            yield event
        yield FeedStatus(state="stale", at=0.0, detail="no data for 15 s")
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        self.closed = True


async def test_a_feed_that_falls_silent_gives_up_saying_how_far_it_got() -> None:
    adapter = FallsSilent(FeedOptions())
    with pytest.raises(FeedTimeout) as raised:
        await read_situation(adapter, engine_settings(), idle_timeout_s=0.2)
    assert str(raised.value) == (
        "no data after 3 events for 0.2 s, giving up (last: stale: no data for 15 s)"
    )
    assert adapter.closed
