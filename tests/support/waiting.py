"""Waiting in the feed tests: for a condition, with a bound, never for a fixed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL_S = 0.005
"""How often `until` looks: short, the conditions are cheap."""


async def until(condition: Callable[[], bool], *, within: float, what: str) -> None:
    """Return once `condition()` holds; fail after `within` seconds (a bound for a failing test,
    generous because a loaded machine is slow)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:g} s: {what}")
        await asyncio.sleep(POLL_S)


async def loop_turns(turns: int = 100) -> None:
    """Let every ready task run `turns` times (no wall time passes to speak of).

    A feed replaying at speed 0 delivers an event per turn, so a count that holds over these
    turns is held by a pause, not by a clock.
    """
    for _ in range(turns):
        await asyncio.sleep(0)
