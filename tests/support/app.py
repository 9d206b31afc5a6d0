"""Helpers for tests of the app under Textual's pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.widgets import Static

from tui.app import ArdoiseApp
from tui.widgets.header import RaceHeader

POLL_S = 0.05


async def wait_for(condition: Callable[[], bool], within: float = 60.0) -> None:
    """Poll `condition()` until true (pilot.pause costs at least 20 ms; poll the loop instead).

    The limits are generous: they only bound a failing test, and a loaded machine is slow.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(POLL_S)


async def holds(condition: Callable[[], bool], for_s: float) -> None:
    """Assert that `condition()` stays true for `for_s` seconds; fail as soon as it does not."""
    deadline = time.monotonic() + for_s
    while time.monotonic() < deadline:
        assert condition(), "condition no longer holds"
        await asyncio.sleep(POLL_S)
    assert condition(), "condition no longer holds"


def header_text(app: ArdoiseApp, part: str) -> str:
    return str(app.query_one(RaceHeader).query_one(f"#{part}", Static).render())
