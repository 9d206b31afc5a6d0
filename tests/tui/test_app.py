"""The app under Textual's pilot: what it shows, the messages it posts, its keys, its failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise
from typing import ClassVar

import pytest
from textual.color import Color

from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter, FeedOptions
from race.models import FeedEvent, FeedStatus, Stage, StartList
from tests.support.app import (
    ScriptedFeed,
    SharedSimulatedFeed,
    header_text,
    holds,
    post_situation,
    skipping_feed,
    wait_for,
)
from tests.support.stages import NOISE_M, SEED, engine_settings, flat_at
from tui.app import ArdoiseApp
from tui.messages import SituationUpdated
from tui.screens.help import HelpScreen
from tui.widgets.gaps import GapsPanel
from tui.widgets.leadout import LeadoutPanel
from tui.widgets.radio import RaceRadio
from tui.widgets.timelimit import TimeLimitPanel

pytestmark = pytest.mark.slow


def flat_options(speed: float = 0.0, **options: object) -> SimulatedOptions:
    return SimulatedOptions.model_validate(
        {"scenario": "flat", "seed": SEED, "noise_m": NOISE_M, "speed": speed, **options}
    )


def simulated(speed: float = 0.0, **options: object) -> SimulatedFeed:
    return SharedSimulatedFeed(flat_options(speed, **options))


class RecordingApp(ArdoiseApp):
    """Counts the situations the app receives."""

    def __init__(self, adapter: FeedAdapter, **kwargs: object) -> None:
        super().__init__(adapter, engine_settings(), feed_label="simulated", **kwargs)  # type: ignore[arg-type]
        self.received: list[SituationUpdated] = []

    def on_situation_updated(self, message: SituationUpdated) -> None:
        self.received.append(message)
        super().on_situation_updated(message)


def head_within(app: ArdoiseApp, km: float) -> bool:
    """The head of the race on screen is within `km` of the line (or has finished: on a loaded
    machine the first picture drawn after `km` may already be the finish)."""
    head = app.situation.head_km_to_finish
    return head is not None and head < km


async def test_panels_show_the_race_from_the_feed() -> None:
    feed, race = skipping_feed(flat_options(skip_to_km=20.0), engine_settings())
    app = RecordingApp(feed, hold_at=None, race=race)
    async with app.run_test(size=(100, 30)):
        await wait_for(lambda: head_within(app, 20))
        applied = [m.situation.events_applied for m in app.received]
        assert len(applied) > 1, "the feed worker posts SituationUpdated messages"
        assert all(a < b for a, b in pairwise(applied)), "each applies more events"
        assert applied[-1] <= app.race.situation.events_applied
        gaps = app.query_one(GapsPanel).lines
        assert any("Peloton" in line.plain for line in gaps)
        limit = app.query_one(TimeLimitPanel).lines
        assert limit[0].plain.startswith("coef 1 · winner ≈")
        leadout = app.query_one(LeadoutPanel).lines
        assert len(leadout) >= 2
        assert "km to go" in header_text(app, "race-status")
        assert "Tour de l'Ardoise" in header_text(app, "title")


async def test_burst_of_situations_is_coalesced() -> None:
    """At full speed the engine applies every event but the screen redraws a few times a second."""
    app = RecordingApp(simulated(), hold_at=None)
    async with app.run_test(size=(80, 24)):
        await wait_for(lambda: app.situation.winner_finished, within=180)
        events = app.situation.events_applied
        assert events > 2000
        assert app.received, "situations reach the app as messages"
        # Every event is applied, but only a few frames a second are drawn.
        assert app.frames_drawn < events / 10


async def test_pause_stops_the_race_clock_and_resume_restarts_it() -> None:
    app = RecordingApp(simulated(speed=60.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.situation.t is not None)
        await pilot.press("p")
        assert app.paused
        frozen = app.situation.t
        assert "paused" in header_text(app, "feed-status")
        # At 60x a frame comes every 0.1 s: a race clock still running would move within 1 s.
        await holds(lambda: app.situation.t == frozen, for_s=1.0)
        assert "paused" in header_text(app, "feed-status")
        await pilot.press("p")
        assert not app.paused
        await wait_for(lambda: app.situation.t != frozen, within=30)
        assert "live" in header_text(app, "feed-status")


async def test_help_opens_and_closes() -> None:
    app = RecordingApp(simulated(speed=1.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_sunlight_theme_toggles() -> None:
    app = RecordingApp(simulated(speed=1.0))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "ardoise"
        await pilot.press("t")
        assert app.theme == "sunlight"
        await pilot.press("t")
        assert app.theme == "ardoise"


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
async def test_a_theme_chosen_at_launch_is_the_theme_switched_to(theme: str) -> None:
    """The theme in the configuration is put in force before the stylesheet is read
    (`tui.themes.start_in`): the same as Textual's own switch to it once running."""

    def looks(app: ArdoiseApp) -> tuple[object, ...]:
        return (
            app.current_theme.name,
            dict(app.theme_variables),
            sorted(name for name in app.classes if name.startswith("-")),
            [getattr(f, "_terminal_theme", type(f)) for f in app._filters],
            app.screen.styles.background,
            app.query_one(GapsPanel).styles.color,
        )

    other = "sunlight" if theme == "ardoise" else "ardoise"
    launched, switched = (
        RecordingApp(simulated(), theme=theme),
        RecordingApp(simulated(), theme=other),
    )
    async with launched.run_test(size=(80, 24)):
        assert set(launched.available_themes) == {"ardoise", "sunlight"}
        seen = looks(launched)
    async with switched.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert looks(switched) == seen


async def test_keymap_rebinds_pause() -> None:
    app = RecordingApp(simulated(speed=1.0), keymap={"pause": "space"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        assert app.paused


async def test_q_quits() -> None:
    app = RecordingApp(simulated(speed=1.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


class BrokenFeed(FeedAdapter):
    """Sends the stage, a status with rejected events, then fails."""

    name: ClassVar[str] = "broken"
    Options: ClassVar[type[FeedOptions]] = FeedOptions

    async def events(self) -> AsyncIterator[FeedEvent]:
        yield StartList(stage=Stage(race="Test", year=2026, distance_km=100.0))
        yield FeedStatus(state="live", at=0.0, rejected=3, detail="truncated JSON")
        await asyncio.sleep(0.05)
        raise ConnectionError("the provider closed the stream")


async def test_feed_failure_is_shown_not_fatal() -> None:
    app = RecordingApp(BrokenFeed(FeedOptions()))
    async with app.run_test(size=(80, 24)):

        def feed_status() -> str:
            return header_text(app, "feed-status")

        # The failure can be shown before the status that counted the bad events is drawn.
        await wait_for(lambda: "stopped" in feed_status() and "3 bad events" in feed_status())
        status = feed_status()
        assert "error: stopped: the provider closed the stream" in status
        # The header refreshes every second: the failure stays through a refresh.
        await holds(lambda: feed_status() == status, for_s=1.2)
        assert app.is_running


async def test_rejected_events_are_counted_in_the_header() -> None:
    app = RecordingApp(BrokenFeed(FeedOptions()))
    async with app.run_test(size=(80, 24)):
        await wait_for(lambda: "3 bad events" in header_text(app, "feed-status"), within=10)


async def test_feed_text_is_never_read_as_markup() -> None:
    """A rider name with markup characters is shown as typed."""
    from race.models import Rider, RiderFix, Team, Telemetry

    class MarkupFeed(BrokenFeed):
        async def events(self) -> AsyncIterator[FeedEvent]:
            yield StartList(
                stage=Stage(
                    race="[b]Test[/b]", year=2026, distance_km=100.0, start="A", finish="B"
                ),
                teams=(Team(code="ABC", name="A"),),
                riders=(Rider(bib=1, first_name="X", last_name="[red]EVIL[/]", team="ABC"),),
            )
            for i in range(3):  # Three frames on the move: the race is on.
                fix = RiderFix(bib=1, km_to_finish=99.0 - 0.1 * i)
                yield Telemetry(t=1_800_000_000.0 + 10 * i, riders=(fix,))
            await asyncio.Event().wait()  # Silent from here, the stream still open.

    app = RecordingApp(MarkupFeed(FeedOptions()))
    async with app.run_test(size=(80, 24)):
        gaps = app.query_one(GapsPanel)
        await wait_for(lambda: any("[red]EVIL[/]" in line.plain for line in gaps.lines))
        assert "[b]Test[/b]" in header_text(app, "title")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_layout_fits(size: tuple[int, int]) -> None:
    """Every panel is on screen at the smallest supported size and when wide, 5 km from the
    line (the lead-out panel full)."""
    _, situation = flat_at(5.0)
    app = ArdoiseApp(
        ScriptedFeed(), engine_settings(), feed_label="simulated", monotonic=lambda: 0.0
    )
    async with app.run_test(size=size) as pilot:
        await post_situation(app, situation)
        await pilot.pause()
        for panel in (GapsPanel, TimeLimitPanel, LeadoutPanel, RaceRadio):
            region = app.query_one(panel).region
            assert region.height >= 2, panel.__name__
            assert region.bottom <= size[1] - 1, panel.__name__


async def test_radio_wraps_again_when_the_window_widens() -> None:
    """Messages written at 80 columns are wrapped again at the new width when the window
    widens: the log keeps the rows it wrapped, a wide window would show them narrow."""
    _, situation = flat_at(5.0)
    app = ArdoiseApp(
        ScriptedFeed(), engine_settings(), feed_label="simulated", monotonic=lambda: 0.0
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await post_situation(app, situation)
        radio = app.query_one(RaceRadio)
        narrow = [strip.text for strip in radio.lines]
        assert max(len(row.rstrip()) for row in narrow) <= 80
        await pilot.resize_terminal(160, 48)
        await wait_for(lambda: radio.scrollable_content_region.width > 100)
        await wait_for(lambda: len(radio.lines) < len(narrow))
        wide = [strip.text.rstrip() for strip in radio.lines]
        assert max(map(len, wide)) > 80
        # The same words, only fewer rows.
        assert " ".join(" ".join(wide).split()) == " ".join(" ".join(narrow).split())


async def test_radio_warnings_take_the_themes_colour() -> None:
    """A warning is drawn in the theme's `$warning` (dark amber in sunlight, legible on white),
    and drawn again in the new theme's when the theme changes."""
    _, situation = flat_at(5.0)
    warning = next(a for a in situation.alerts if a.level == "warning")
    app = ArdoiseApp(
        ScriptedFeed(), engine_settings(), feed_label="simulated", monotonic=lambda: 0.0
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await post_situation(app, situation)
        radio = app.query_one(RaceRadio)

        def drawn_in(colour: str) -> bool:
            """The warning's words are drawn in `colour` (within the blending's rounding)."""
            wanted = Color.parse(colour)
            drawn = [
                Color.from_rich_color(segment.style.color)
                for row in radio.lines
                for segment in row
                if segment.text.strip() in warning.text and segment.style
            ]
            return bool(drawn) and all(
                max(abs(a - b) for a, b in zip(c.rgb, wanted.rgb, strict=True)) <= 2 for c in drawn
            )

        assert drawn_in("#f2b134")
        await pilot.press("t")
        await wait_for(lambda: drawn_in("#8a4b00"))
