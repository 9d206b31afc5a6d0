"""The time machine's keys and a replay's speed keys (the app's actions are in `tui.app`)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

SEEK_KM = 1.0
"""←/→ move this many km of the head's road; shift+←/→ `SEEK_FAR_KM`."""
SEEK_FAR_KM = 10.0
MIN_SPEED = 0.25
"""`-` halves a replay's speed down to a quarter of real time (the options' floor, 0, means as
fast as possible, not slowest)."""


def next_speed(speed: float, factor: float, top: float | None) -> float:
    """A replay's speed times `factor` (2 or 0.5), between `MIN_SPEED` and `top`. From as fast
    as possible (0), slower is the fastest paced speed."""
    if speed == 0:
        return (top if top is not None else 0.0) if factor < 1 else 0.0
    wanted = max(speed * factor, MIN_SPEED)
    return min(wanted, top) if top is not None else wanted


SEEK_BINDINGS: list[BindingType] = [
    Binding(
        "left",
        f"seek(-{SEEK_KM})",
        "Back 1 km",
        id="seek-back",
        show=False,
        priority=True,
        tooltip="Back in time: the race 1 km of the head's road earlier",
    ),
    Binding(
        "right",
        f"seek({SEEK_KM})",
        "On 1 km",
        id="seek-on",
        show=False,
        priority=True,
        tooltip="On in time by 1 km of the head's road (a replay goes ahead past its pace)",
    ),
    Binding(
        "shift+left",
        f"seek(-{SEEK_FAR_KM})",
        "Back 10 km",
        id="seek-back-far",
        show=False,
        tooltip="Back 10 km of the head's road",
    ),
    Binding(
        "shift+right",
        f"seek({SEEK_FAR_KM})",
        "On 10 km",
        id="seek-on-far",
        show=False,
        tooltip="On 10 km of the head's road",
    ),
    Binding(
        "home",
        "seek_start",
        "Start",
        id="seek-start",
        show=False,
        priority=True,
        tooltip="Back to where the feed first showed the race",
    ),
    Binding(
        "end",
        "live",
        "Live",
        id="live",
        priority=True,
        tooltip="Back to live (a replay: where it has got to)",
    ),
    Binding(
        "plus",
        "speed(2)",
        "Faster",
        id="faster",
        show=False,
        tooltip="A replay twice as fast",
    ),
    Binding(
        "minus",
        "speed(0.5)",
        "Slower",
        id="slower",
        show=False,
        tooltip="A replay half as fast",
    ),
]
"""The time machine's keys: in the footer only `end` while in the past (`check_action`). The
arrows, home and end come before the focused panel's own (a panel scrolls with them): on the
race screen only, a screen over it keeps them (`ArdoiseApp.check_action`)."""

SEEK_ACTIONS = frozenset({"seek", "seek_start", "live", "speed"})
"""The actions of `SEEK_BINDINGS`."""
