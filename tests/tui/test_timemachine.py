"""The time machine under Textual's pilot: ←/→ and shift+←/→ move by km of the head's road,
home goes to the start, end back to live, → past what was delivered makes the replay go ahead,
+/- change a replay's speed; the header says when the screen is in the past."""

from __future__ import annotations

from typing import Any

import pytest

from feeds.adapters.simulated import SimulatedOptions
from race.models import FeedEvent
from tests.support.app import ScriptedFeed, SharedSimulatedFeed, header_text, wait_for
from tests.support.stages import NOISE_M, SEED, engine_settings, stage_events
from tui.app import ArdoiseApp

pytestmark = pytest.mark.slow

START_KM = 150.0


class NotedApp(ArdoiseApp):
    """Keeps what it says in toasts."""

    notes: list[str]

    def notify(self, message: str, **options: Any) -> None:
        self.notes.append(message)
        super().notify(message, **options)


def replay(speed: float = 1.0) -> tuple[NotedApp, SharedSimulatedFeed]:
    """The flat stage from 150 km to go (the stage before delivered at once, and remembered)."""
    adapter = SharedSimulatedFeed(
        SimulatedOptions(
            scenario="flat", seed=SEED, noise_m=NOISE_M, speed=speed, skip_to_km=START_KM
        )
    )
    app = NotedApp(adapter, engine_settings(), feed_label="simulated")
    app.notes = []
    return app, adapter


def shown_km(app: ArdoiseApp) -> float:
    km = app.situation.head_km_to_finish
    assert km is not None
    return km


def live_km(app: ArdoiseApp) -> float:
    km = app.race.situation.head_km_to_finish
    assert km is not None
    return km


def footer_keys(app: ArdoiseApp) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


async def test_back_on_shift_home_and_end() -> None:
    app, _ = replay()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.head_km_to_finish is not None)
        await pilot.press("p")  # The replay's clock stops: the live head stays where it is.
        live = live_km(app)
        assert "end" not in footer_keys(app)

        await pilot.press("left")
        assert app.in_past
        assert shown_km(app) == pytest.approx(live + 1, abs=0.3)
        assert header_text(app, "feed-status") == (
            f"◀ in the past · ⏸ paused (p) · live at {live:.1f} km · x1"
        )
        assert f"{shown_km(app):.1f} km to go" in header_text(app, "race-status")
        await wait_for(lambda: "end" in footer_keys(app))

        await pilot.press("shift+left")
        assert shown_km(app) == pytest.approx(live + 11, abs=0.6)
        await pilot.press("right")
        assert shown_km(app) == pytest.approx(live + 10, abs=0.9)
        assert app.in_past

        await pilot.press("home")
        # Where the feed first showed the head: the neutralised start of the 180 km stage.
        assert shown_km(app) > 170
        await pilot.press("left")
        assert "at the start of what the feed has sent" in app.notes
        await pilot.press("shift+right")
        assert shown_km(app) < 170

        await pilot.press("end")
        assert not app.in_past
        assert app.situation is app.race.situation
        assert "◀" not in header_text(app, "feed-status")
        await wait_for(lambda: "end" not in footer_keys(app))
        assert live_km(app) == live  # All along, the live engine stayed where the feed was.


async def test_a_seek_shows_the_situation_the_engine_gave_there() -> None:
    app, _ = replay()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.head_km_to_finish is not None)
        await pilot.press("p", "shift+left", "shift+left")
        entries = app.history.entries_to_km(shown_km(app))
        assert entries is not None
        past = app.history.situation_after(entries)
        shown = app.situation.to_json_dict()
        # The race radio stays live in the past; everything else is the past's.
        for key in ("alerts", "news", "new_alerts"):
            shown.pop(key, None)
        assert shown == {
            k: v
            for k, v in past.to_json_dict().items()
            if k not in ("alerts", "news", "new_alerts")
        }
        assert len(app.situation.alerts) == len(app.race.situation.alerts)


async def test_on_past_what_was_delivered_the_replay_goes_ahead() -> None:
    app, adapter = replay(speed=0.25)  # A frame every 24 s: only a going ahead moves the head.
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.head_km_to_finish is not None)
        start = live_km(app)
        await pilot.press("right")
        assert not app.in_past
        await wait_for(lambda: live_km(app) <= start - 1.0, within=30)
        await pilot.press("shift+right")
        await wait_for(lambda: live_km(app) <= start - 11.0, within=30)
        await wait_for(lambda: shown_km(app) <= start - 11.0)  # Drawn as it goes.
        assert adapter.speed == 0.25  # Back at its pace.
        ahead = live_km(app)
        assert ahead > start - 12.0  # It went ahead to there, not further.


async def test_plus_and_minus_change_a_replays_speed() -> None:
    app, adapter = replay(speed=20.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.head_km_to_finish is not None)
        assert " x" not in header_text(app, "feed-status")  # The configured speed: not said.
        await pilot.press("plus")
        assert adapter.speed == 40
        assert header_text(app, "feed-status").startswith("simulated x40: ")
        await pilot.press("minus", "minus", "minus")
        assert adapter.speed == 5
        await pilot.press(*["plus"] * 6)
        assert adapter.speed == 100  # The option's bound.
        await pilot.press(*["minus"] * 12)
        assert adapter.speed == 0.25
        await pilot.press("p", "left")
        assert header_text(app, "feed-status").endswith(" x0.25")


async def test_a_live_feed_keeps_real_time_and_its_past() -> None:
    feed = ScriptedFeed()
    app = NotedApp(feed, engine_settings(), feed_label="live")
    app.notes = []
    events: list[FeedEvent] = list(stage_events("flat")[:400])
    async with app.run_test(size=(80, 24)) as pilot:
        for event in events:
            feed.queue.put_nowait(event)
        await wait_for(lambda: len(app.history) == len(events))
        await pilot.press("plus")
        assert app.notes[-1] == "live: speed is real time"
        live = live_km(app)
        await pilot.press("shift+left")
        assert app.in_past
        assert shown_km(app) == pytest.approx(live + 10, abs=0.5)
        # The feed goes on meanwhile: applied and remembered, not shown.
        more = list(stage_events("flat")[400:450])
        for event in more:
            feed.queue.put_nowait(event)
        await wait_for(lambda: len(app.history) == len(events) + len(more))
        assert shown_km(app) == pytest.approx(live + 10, abs=0.5)
        assert live_km(app) < live
        await pilot.press("shift+right", "shift+right")  # Past live: live, nothing to go ahead.
        assert not app.in_past
        await wait_for(lambda: app.situation is app.race.situation)
        # A screen over the race keeps the arrows, home and end for itself.
        await pilot.press("question_mark", "left", "home")
        assert not app.in_past
