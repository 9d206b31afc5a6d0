"""The keys under Textual's pilot: the footer names what a key does now, hints follow the keymap,
the palette offers Ardoise's themes only, the help's close hint is on screen, the profile key."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Markdown, Static

from feeds.adapters.simulated import SimulatedOptions
from race.settings import TeamSettings
from tests.support.app import SharedSimulatedFeed, header_text, skipping_feed, wait_for
from tests.support.stages import NOISE_M, SEED, engine_settings
from tui.app import ArdoiseApp
from tui.screens.help import HelpScreen
from tui.screens.profile import ProfileScreen
from tui.themes import THEMES
from tui.widgets.profile import ProfileStrip

pytestmark = pytest.mark.slow


class NotedApp(ArdoiseApp):
    """Keeps the messages it pops up, with their severity."""

    notes: list[tuple[str, str]]

    def notify(self, message: str, **options: Any) -> None:
        self.notes.append((message, options.get("severity", "information")))
        super().notify(message, **options)


def app_on_flat(
    *,
    team: str | None = None,
    keymap: dict[str, str] | None = None,
    speed: float = 1.0,
    from_start: bool = False,
) -> NotedApp:
    """The app skipping to 60 km to go on the flat stage, its engine started just before (or,
    `from_start`, at the stage's start: what the start list brings comes first)."""
    options = SimulatedOptions(
        scenario="flat", seed=SEED, noise_m=NOISE_M, speed=speed, skip_to_km=60.0
    )
    settings = engine_settings(team=TeamSettings(code=team)) if team else engine_settings()
    if from_start:
        app = NotedApp(
            SharedSimulatedFeed(options), settings, feed_label="simulated", keymap=keymap
        )
    else:
        feed, race = skipping_feed(options, settings)
        app = NotedApp(feed, settings, feed_label="simulated", keymap=keymap, race=race)
    app.notes = []
    return app


def footer(app: ArdoiseApp) -> dict[str, str]:
    """Key → what the footer says it does."""
    return {
        key: active.binding.description
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


async def test_the_footer_names_what_pause_and_theme_do_now() -> None:
    app = app_on_flat()
    async with app.run_test(size=(80, 24)) as pilot:
        assert footer(app)["p"] == "Pause"
        assert footer(app)["t"] == "Sunlight"
        await pilot.press("p")
        assert app.paused
        assert footer(app)["p"] == "Resume"
        await pilot.press("p")
        assert not app.paused
        assert footer(app)["p"] == "Pause"
        await pilot.press("t")
        assert app.theme == "sunlight"
        assert footer(app)["t"] == "Dark"
        await pilot.press("t")
        assert app.theme == "ardoise"
        assert footer(app)["t"] == "Sunlight"


async def test_a_rebound_pause_key_resumes_and_is_named_in_the_header() -> None:
    app = app_on_flat(keymap={"pause": "space"})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.t is not None)
        await pilot.press("space")
        assert app.paused
        assert footer(app)["space"] == "Resume"
        await wait_for(lambda: "paused" in header_text(app, "feed-status"))
        assert "(space)" in header_text(app, "feed-status")
        await pilot.press("p")  # No longer the pause key.
        assert app.paused
        await pilot.press("space")
        assert not app.paused


async def test_the_palette_offers_ardoises_themes_only() -> None:
    app = app_on_flat()
    async with app.run_test(size=(80, 24)):
        assert set(app.available_themes) == set(THEMES)


async def test_the_help_says_how_to_close_it_on_a_small_screen() -> None:
    app = app_on_flat(keymap={"close-help": "x,escape", "pause": "space"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        hint = app.screen.query_one("#help-close", Static)
        assert str(hint.render()) == "x or esc closes the help"
        region = hint.region
        assert region.height == 1
        assert 0 <= region.y < 24, "on screen at 80x24"
        table = app.screen.query_one(Markdown).source
        assert "| space | Pause or resume the feed" in table
        assert table.count("| t |") == 1, "one row per key"
        await pilot.press("x")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen))


async def test_the_profile_key_opens_the_profile_and_closes_it() -> None:
    app = app_on_flat()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.groups != ())
        await pilot.press("v")
        await wait_for(lambda: isinstance(app.screen, ProfileScreen))
        await pilot.pause()
        chart = app.screen.query_one(ProfileStrip)
        assert chart.size.height >= 8
        text = str(chart.render())
        assert "Côte de Lacajunte-Haut" in text or "cat. 4" in text
        assert "finish 173 km" in text
        assert "Peloton" in text or "Head of race" in text
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, ProfileScreen))


async def test_an_unknown_team_code_is_a_warning_listing_the_race_codes() -> None:
    app = app_on_flat(team="XYZ", from_start=True)
    async with app.run_test(size=(80, 24)):
        await wait_for(lambda: any("[team] code" in text for text, _ in app.notes))
        ((text, severity),) = [note for note in app.notes if "[team] code" in note[0]]
        assert severity == "warning"
        assert text.startswith("[team] code 'XYZ' is not a team of this race: ")
        assert "CDC" in text
        assert "\n" not in text


async def test_a_known_team_code_raises_no_warning() -> None:
    app = app_on_flat(team="CDC", speed=0.0)
    resumed = app.situation
    async with app.run_test(size=(80, 24)):
        # A situation from the feed on screen: the code was checked when it came.
        await wait_for(
            lambda: app.situation is not resumed and app.situation.head_km_to_finish is not None
        )
        assert not [text for text, _ in app.notes if "[team] code" in text]


async def test_the_skip_is_done_before_the_first_picture_of_the_race() -> None:
    adapter = SharedSimulatedFeed(
        SimulatedOptions(scenario="flat", seed=SEED, noise_m=NOISE_M, speed=20, skip_to_km=45.0)
    )
    app = ArdoiseApp(adapter, engine_settings(), feed_label="simulated")
    async with app.run_test(size=(80, 24)):
        await wait_for(lambda: app.situation.t is not None)
        first = app.situation
        assert first.head_km_to_finish is not None
        assert first.head_km_to_finish <= 45.0, "no fast-forward on screen"
        assert first.feed is not None
        assert first.feed.state == "live"
        assert "km to go" in header_text(app, "race-status")
