"""While the screen follows a live feed, a panel a row or two shorter keeps its height from the
race radio's spare rows (`RaceScreen`, `SLACK_ROWS`): the whole screen is not laid out again at
each update for a row more or less in the finale's trains. Once the screen stops following,
every panel is as tall as its rows again."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.app import App

from race.models import FeedStatus
from tests.support.stages import stage_run
from tui.panels.view import ViewContext
from tui.screens.race import SLACK_ROWS, RaceScreen

pytestmark = pytest.mark.slow

LIVE = FeedStatus(state="live", at=0.0)


class RaceScreenApp(App[None]):
    def get_default_screen(self) -> RaceScreen:
        return RaceScreen()


def leadout_rows(screen: RaceScreen) -> tuple[int, int]:
    """The lead-out panel's height, and the rows its lines need (its title's included)."""
    height = screen.leadout.styles.height
    assert height is not None
    return int(height.value), screen.leadout.TITLE_ROWS + len(screen.leadout.all_lines)


async def test_a_panel_keeps_a_spare_row_while_following_and_fits_its_rows_after() -> None:
    finale = [situation for _, situation in stage_run("flat").finale]
    following = ViewContext(width=160, feed=LIVE, following=True)
    app = RaceScreenApp()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        rows: list[tuple[int, int]] = []
        for situation in finale:
            screen.show(situation, following)
            await pilot.pause()
            rows.append(leadout_rows(screen))
        assert all(needed <= height <= needed + SLACK_ROWS for height, needed in rows)
        assert any(height > needed for height, needed in rows), "a row to spare was kept"
        changes = sum(1 for a, b in pairwise(rows) if a[0] != b[0])
        needs = sum(1 for a, b in pairwise(rows) if a[1] != b[1])
        assert changes < needs

        screen.show_status(ViewContext(width=160, feed=LIVE, paused=True))
        await pilot.pause()
        height, needed = leadout_rows(screen)
        assert height == needed
