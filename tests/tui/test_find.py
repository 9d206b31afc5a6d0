"""Find a rider or a team (`/`), his card, marking and unmarking from either, the marks kept
per race across a restart, and a marked rider named in the time gaps and alerted when dropped.

The app's engine starts part-way through the simulated flat stage (`tests.support.engines`),
so the marks go through the real engine without replaying the stage per test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot

from feeds.simulation import scenario_facts
from race.engine import Race
from race.models import Telemetry
from tests.support.app import ScriptedFeed, post_situation, wait_for
from tests.support.engines import engine_at
from tests.support.stages import SEED, engine_settings
from tui.app import ArdoiseApp
from tui.marks import FILE_NAME, MarkStore
from tui.screens.card import RiderCardScreen
from tui.screens.find import FindScreen
from tui.widgets.radio import RaceRadio

DUCHENE = 12
"""Jérôme Duchêne (HLG) in the simulated start list: a name with accents."""


def _app(race: Race, feed: ScriptedFeed | None = None, folder: Path | None = None) -> ArdoiseApp:
    return ArdoiseApp(
        feed or ScriptedFeed(),
        engine_settings(),
        feed_label="simulated",
        monotonic=lambda: 0.0,
        marks=MarkStore(folder) if folder is not None else None,
        race=race,
    )


async def _open_search(app: ArdoiseApp, pilot: Pilot[None], typed: str) -> FindScreen:
    await post_situation(app, app.race.situation)
    await pilot.press("slash")
    await wait_for(lambda: isinstance(app.screen, FindScreen))
    screen = app.screen
    assert isinstance(screen, FindScreen)
    if typed:
        await pilot.press(*typed)
        await wait_for(lambda: screen.query_input.value == typed)
    return screen


def _card(app: ArdoiseApp) -> RiderCardScreen | None:
    return app.screen if isinstance(app.screen, RiderCardScreen) else None


async def test_a_name_without_its_accents_finds_him_and_enter_opens_his_card() -> None:
    race, _ = engine_at("flat", 60.0)
    app = _app(race)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_search(app, pilot, "duchene")
        assert screen.found[0].bib == DUCHENE
        assert "Duchêne" in screen.found[0].text
        await pilot.press("enter")
        await wait_for(lambda: _card(app) is not None)
        card = _card(app)
        assert card is not None
        assert card.card is not None
        assert card.bib == DUCHENE
        assert card.rows[0] == f"#{DUCHENE} Jérôme Duchêne"
        assert card.card.team_code == "HLG"
        assert card.card.group_name is not None
        await pilot.press("escape")
        await wait_for(lambda: app.screen is screen)
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.race_screen)


async def test_a_bib_finds_that_rider_first() -> None:
    race, _ = engine_at("flat", 60.0)
    app = _app(race)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_search(app, pilot, "12")
        assert [f.bib for f in screen.found[:2]] == [12, 121]
        await pilot.press("down", "enter")
        await wait_for(lambda: _card(app) is not None)
        card = _card(app)
        assert card is not None
        assert card.bib == 121


async def test_a_team_lists_its_riders_and_escape_goes_back_a_step() -> None:
    race, _ = engine_at("flat", 60.0)
    app = _app(race)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_search(app, pilot, "nordlys")
        assert screen.found[0].kind == "team"
        assert screen.found[0].team == "NRL"
        await pilot.press("enter")
        await wait_for(lambda: screen.team == "NRL")
        roster = app.race.situation.roster.riders
        assert [f.bib for f in screen.found] == sorted(
            b for b, r in roster.items() if r.team == "NRL"
        )
        assert "Nordlys Racing" in str(screen.note.render())
        await pilot.press("down", "enter")
        await wait_for(lambda: _card(app) is not None)
        card = _card(app)
        assert card is not None
        assert card.bib == screen.found[1].bib
        await pilot.press("escape")
        await wait_for(lambda: app.screen is screen)
        assert screen.team == "NRL"
        await pilot.press("escape")
        await wait_for(lambda: screen.team is None)
        assert screen.query_input.value == "nordlys"
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.race_screen)


async def test_star_marks_and_unmarks_from_the_search_and_the_card() -> None:
    race, _ = engine_at("flat", 60.0)
    app = _app(race)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_search(app, pilot, "duchene")
        await pilot.press("asterisk")
        await wait_for(lambda: app.race.situation.marked == (DUCHENE,))
        assert str(screen.results.get_option_at_index(0).prompt).startswith("★ ")
        assert screen.query_input.value == "duchene", "the * is a key, not typed"
        # He is named, marked, in his group at once.
        group = next(g for g in app.situation.groups if DUCHENE in g.riders)
        assert any(n.bib == DUCHENE and "marked" in n.reasons for n in group.notable)
        await pilot.press("enter")
        await wait_for(lambda: _card(app) is not None)
        card = _card(app)
        assert card is not None
        assert card.rows[0].startswith("★ ")
        assert any(row.startswith("Marked     yes") for row in card.rows)
        await pilot.press("asterisk")
        await wait_for(lambda: app.race.situation.marked == ())
        await wait_for(lambda: any(row.startswith("Marked     no") for row in card.rows))
        await pilot.press("escape")
        await wait_for(lambda: app.screen is screen)
        assert str(screen.results.get_option_at_index(0).prompt).startswith("  ")


async def test_marks_are_kept_for_the_race_across_a_restart(tmp_path: Path) -> None:
    race, _ = engine_at("flat", 60.0)
    stage = race.situation.stage
    assert stage is not None
    key = f"{stage.race} {stage.year}"
    app = _app(race, folder=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_search(app, pilot, "duchene")
        await pilot.press("asterisk")
        await wait_for(lambda: app.race.situation.marked == (DUCHENE,))
    saved = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert saved == {"version": 1, "races": {key: [DUCHENE]}}

    again, _ = engine_at("flat", 60.0)
    assert again.situation.marked == ()
    restarted = _app(again, folder=tmp_path)
    async with restarted.run_test(size=(100, 30)):
        await post_situation(restarted, again.situation)
        await wait_for(lambda: restarted.situation.marked == (DUCHENE,))
        group = next(g for g in restarted.situation.groups if DUCHENE in g.riders)
        assert any(n.bib == DUCHENE for n in group.notable)


async def test_a_corrupt_marks_file_is_said_once_and_ignored(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    race, _ = engine_at("flat", 60.0)
    app = _app(race, folder=tmp_path)
    said: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        real_notify = app.notify

        def notify(message: str, **kwargs: object) -> None:
            said.append(message)
            real_notify(message, **kwargs)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        screen = await _open_search(app, pilot, "duchene")
        await wait_for(lambda: any("ignored" in s for s in said))
        await pilot.press("asterisk")
        await wait_for(lambda: app.race.situation.marked == (DUCHENE,))
        assert screen.found[0].bib == DUCHENE
    assert sum("Marks file" in s for s in said) == 1
    rewritten = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert list(rewritten["races"].values()) == [[DUCHENE]]


@pytest.mark.slow
async def test_a_marked_rider_is_named_in_the_gaps_and_alerted_when_dropped() -> None:
    punctured = scenario_facts("flat", SEED).dropped[0]
    race, events = engine_at("flat", 60.0)
    feed = ScriptedFeed()
    app = _app(race, feed)
    async with app.run_test(size=(160, 48)) as pilot:
        await _open_search(app, pilot, str(punctured))
        await pilot.press("asterisk", "escape")
        await wait_for(lambda: app.screen is app.race_screen)
        name = app.race.situation.roster.riders[punctured].last_name
        t = 0.0
        for event in events:
            await feed.queue.put(event)
            if isinstance(event, Telemetry):
                t = event.t
                known = [f.km_to_finish for f in event.riders if f.km_to_finish is not None]
                if known and min(known) <= 25.0:
                    break
        await wait_for(lambda: app.situation.t == t)
        said = [a.text for a in app.situation.alerts if a.kind == "rider_dropped"]
        assert any(name in text and "dropped from the peloton" in text for text in said), said
        shown = " ".join(strip.text.strip() for strip in app.query_one(RaceRadio).lines)
        assert "dropped from the peloton" in shown
        gaps = [row.plain for row in app.race_screen.gaps.all_lines]
        group = next(g for g in app.situation.groups if punctured in g.riders)
        assert group.name != "Peloton"
        marked = f"★{app.situation.roster.name(punctured)}"
        row = next(r for r in gaps if marked in r)
        assert row.startswith(group.name), row


async def test_before_the_start_list_the_search_says_nobody_is_there_to_find() -> None:
    app = ArdoiseApp(ScriptedFeed(), engine_settings(), feed_label="simulated")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await wait_for(lambda: isinstance(app.screen, FindScreen))
        screen = app.screen
        assert isinstance(screen, FindScreen)
        assert str(screen.note.render()) == "No start list yet: nobody to find"
        await pilot.press("asterisk", "enter")  # Nothing highlighted: a bell, nothing else.
        assert app.screen is screen
        assert app.race.situation.marked == ()
