"""The lead-out panel in the running app: the loss coming at 1 km, rows rebuilt on resize."""

from __future__ import annotations

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.simulation import scenario_facts
from tests.support.app import wait_for
from tests.support.stages import NOISE_M, SEED, engine_settings, flat_at
from tui.app import ArdoiseApp
from tui.widgets.leadout import LeadoutPanel


async def test_panel_rows_follow_the_situation_and_the_width() -> None:
    loss = scenario_facts("flat", SEED).wheel_loss
    assert loss is not None
    hold_at, _ = flat_at(1.0)
    adapter = SimulatedFeed(
        SimulatedOptions(scenario="flat", seed=SEED, noise_m=NOISE_M, speed=0.0)
    )
    app = ArdoiseApp(
        adapter,
        engine_settings(my_team=loss.team),
        feed_label="simulated",
        hold_at=hold_at,
        monotonic=lambda: 0.0,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.t == hold_at)
        panel = app.query_one(LeadoutPanel)
        mine = next(line for line in panel.lines if line.plain.startswith(loss.team))
        assert "-mine" in mine.classes
        assert "→ ✗?" in mine.plain  # the loss shows in the latest frame, unconfirmed
        narrow = mine.plain.count("▸")
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        wide = next(line for line in panel.lines if line.plain.startswith(loss.team))
        assert wide.plain.count("▸") > narrow  # more lead-out men when they fit
        assert "lost the wheel?" in wide.plain
        assert len(wide.plain) <= panel.content_size.width
