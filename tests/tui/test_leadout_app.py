"""The lead-out panel in the running app: the loss coming at 1 km, rows rebuilt on resize."""

from __future__ import annotations

import pytest

from race.settings import TeamSettings
from tests.support.app import ScriptedFeed, post_situation
from tests.support.stages import engine_settings
from tests.tui.situations import flat_with_my_team
from tui.app import ArdoiseApp
from tui.widgets.leadout import LeadoutPanel

pytestmark = pytest.mark.slow


async def test_panel_rows_follow_the_situation_and_the_width() -> None:
    finale = flat_with_my_team()
    app = ArdoiseApp(
        ScriptedFeed(),
        engine_settings(team=TeamSettings(code=finale.team)),
        feed_label="simulated",
        monotonic=lambda: 0.0,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await post_situation(app, finale.held)
        panel = app.query_one(LeadoutPanel)
        mine = next(line for line in panel.lines if line.plain.startswith(finale.team))
        assert "-mine" in mine.classes
        assert "→ ✗?" in mine.plain  # the loss shows in the latest frame, unconfirmed
        narrow = mine.plain.count("▸")
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        wide = next(line for line in panel.lines if line.plain.startswith(finale.team))
        assert wide.plain.count("▸") > narrow  # more lead-out men when they fit
        assert "lost the wheel?" in wide.plain
        assert len(wide.plain) <= panel.content_size.width
