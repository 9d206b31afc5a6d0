"""Garbage collection while `ardoise` starts: off until the race is on screen.

Importing Ardoise and Textual, restoring a start point (`tui.startpoint`) or playing a replay
up to it sets off full collections that cost 40 to 70 ms and find next to nothing: reference
counting frees the rest. Collection is back on at the first race data drawn, or
`OFF_AT_MOST_S` after the first picture when no data comes (a live feed may send none for
hours); what exists then (modules, classes, the stage's history so far) is frozen: long-lived,
it is not walked by every full collection again. So is the engine taken up from a start point
just after that first picture (`tui.engineroom`), once it is there.
"""

from __future__ import annotations

import gc

OFF_AT_MOST_S = 10.0

_starting = False
"""Collection was turned off for the start (by `ardoise`, never in tests)."""


def off_while_starting() -> None:
    global _starting
    _starting = True
    gc.disable()


def off() -> bool:
    """Whether collection is still off for the start (never in tests: they leave it on)."""
    return not gc.isenabled()


def back_on() -> None:
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def long_lived() -> None:
    """What exists now lives as long as the app (an engine just taken up): frozen as well,
    after a start with collection off."""
    if _starting:
        gc.freeze()
