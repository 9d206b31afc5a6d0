"""The stage profile on one line, with the groups placed on it."""

from __future__ import annotations

from bisect import bisect_left

from race.models import Stage
from race.situation import Situation
from tui.panels.lines import Line, Part, line

BLOCKS = "▁▂▃▄▅▆▇█"
MIN_WIDTH = 10
"""Narrower than this, the profile is not drawn."""

Mark = tuple[float, bool]
"""A group on the profile: km from the start, and whether it is the head of the race."""


def group_marks(situation: Situation) -> tuple[Mark, ...]:
    stage = situation.stage
    if stage is None:
        return ()
    return tuple(
        (stage.distance_km - g.km_to_finish, i == 0) for i, g in enumerate(situation.groups)
    )


def profile_line(stage: Stage | None, marks: tuple[Mark, ...], width: int) -> Line:
    """Altitude as block characters across `width` cells; ◆ head of race, ● other groups."""
    if stage is None or len(stage.profile) < 2 or width < MIN_WIDTH:
        return line()
    kms = [p.km for p in stage.profile]
    alts = [p.altitude_m for p in stage.profile]
    low, high = min(alts), max(alts)
    span = max(high - low, 1.0)
    cells: list[str] = []
    for x in range(width):
        km = (x + 0.5) * stage.distance_km / width
        i = min(bisect_left(kms, km), len(alts) - 1)
        cells.append(BLOCKS[int((alts[i] - low) / span * (len(BLOCKS) - 1))])
    styles: dict[int, str] = {}
    for km, head in marks:
        x = min(width - 1, max(0, int(km / stage.distance_km * width)))
        if head or x not in styles:
            cells[x] = "◆" if head else "●"
            styles[x] = "bold $accent" if head else "bold $primary"
    parts: list[Part] = [
        (cell, styles[x]) if x in styles else (cell, "$foreground-darken-2")
        for x, cell in enumerate(cells)
    ]
    return line(*parts)
