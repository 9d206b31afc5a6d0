"""The stage profile on one line, with the groups placed on it."""

from __future__ import annotations

from bisect import bisect_left

from textual.content import Content
from textual.widget import Widget

from race.models import Stage
from race.situation import Situation

BLOCKS = "▁▂▃▄▅▆▇█"


class ProfileStrip(Widget):
    """Altitude as block characters across the width; ◆ head of race, ● other groups."""

    def __init__(self) -> None:
        super().__init__(id="profile")
        self._stage: Stage | None = None
        self._marks: tuple[tuple[float, bool], ...] = ()

    def show(self, situation: Situation) -> None:
        stage = situation.stage
        marks = (
            tuple(
                (stage.distance_km - g.km_to_finish, i == 0) for i, g in enumerate(situation.groups)
            )
            if stage
            else ()
        )
        # Redraw only when a group moves by a visible amount.
        width = max(1, self.size.width)
        scale = (stage.distance_km / width) if stage and stage.distance_km else 1.0
        coarse = tuple((round(km / scale), head) for km, head in marks)
        if stage is not self._stage or coarse != tuple(
            (round(km / scale), head) for km, head in self._marks
        ):
            self._stage = stage
            self._marks = marks
            self.refresh()

    def render(self) -> Content:
        stage = self._stage
        width = self.size.width
        if stage is None or len(stage.profile) < 2 or width < 10:
            return Content("")
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
        for km, head in self._marks:
            x = min(width - 1, max(0, int(km / stage.distance_km * width)))
            if head or x not in styles:
                cells[x] = "◆" if head else "●"
                styles[x] = "bold $accent" if head else "bold $primary"
        parts: list[str | tuple[str, str]] = []
        for x, cell in enumerate(cells):
            parts.append((cell, styles[x]) if x in styles else (cell, "$foreground-darken-2"))
        return Content.assemble(*parts)
