"""While the screen follows a live feed, a panel keeps the rows it had over the last
`HOLD_ROWS_S` (`RaceScreen`): the whole screen is not laid out again, nor every panel below
moved, at each update for a row more or less in the finale's trains. Once the screen stops
following, every panel is as tall as its rows again."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.app import App

from race.models import FeedStatus
from tests.support.stages import stage_run
from tui.panels.view import ViewContext
from tui.screens.race import HOLD_ROWS_S, RaceScreen

pytestmark = pytest.mark.slow

LIVE = FeedStatus(state="live", at=0.0)


FRAME_S = 6.0
"""A Race Center frame's interval, on the screen's clock."""


class RaceScreenApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def get_default_screen(self) -> RaceScreen:
        return RaceScreen(clock=lambda: self.now)


def leadout_rows(screen: RaceScreen) -> tuple[int, int]:
    """The lead-out panel's height, and the rows its lines need (its title's included)."""
    height = screen.leadout.styles.height
    assert height is not None
    return int(height.value), screen.leadout.TITLE_ROWS + len(screen.leadout.all_lines)


async def test_a_panel_keeps_its_recent_rows_while_following_and_fits_its_rows_after() -> None:
    finale = [situation for _, situation in stage_run("flat").finale]
    following = ViewContext(width=160, feed=LIVE, following=True)
    app = RaceScreenApp()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        rows: list[tuple[int, int]] = []
        for situation in finale:
            app.now += FRAME_S
            screen.show(situation, following)
            await pilot.pause()
            rows.append(leadout_rows(screen))
        # Each height the most rows needed over the last `HOLD_ROWS_S` (the screen has rows to
        # spare): held, then given back.
        frames = round(HOLD_ROWS_S / FRAME_S)
        needs = [needed for _, needed in rows]
        assert [height for height, _ in rows] == [
            max(needs[max(0, i - frames + 1) : i + 1]) for i in range(len(rows))
        ]
        assert any(height > needed for height, needed in rows), "a row to spare was kept"
        changes = sum(1 for a, b in pairwise(rows) if a[0] != b[0])
        assert changes < sum(1 for a, b in pairwise(needs) if a != b) / 2

        taller = next(i for i, (_, needed) in enumerate(rows) if needed > rows[-1][1])
        for situation in (finale[taller], finale[-1]):
            app.now += FRAME_S
            screen.show(situation, following)
            await pilot.pause()
        height, needed = leadout_rows(screen)
        assert height > needed
        screen.show_status(ViewContext(width=160, feed=LIVE, paused=True))
        await pilot.pause()
        height, needed = leadout_rows(screen)
        assert height == needed
