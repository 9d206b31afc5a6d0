"""The command palette sets a rider as his team's sprinter during the race: the race radio says
it, the time limit watches him from the next update, the lead-out panel draws his train."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.command import CommandList, CommandPalette

from race.models import FeedEvent, Telemetry
from race.roles import DeclaredRoles, RolesFile
from race.settings import TeamSettings
from race.situation import Situation
from tests.support.app import ScriptedFeed, wait_for
from tests.support.stages import engine_settings, stage_events
from tui.app import ArdoiseApp
from tui.widgets.leadout import LeadoutPanel
from tui.widgets.radio import RaceRadio
from tui.widgets.timelimit import TimeLimitPanel

pytestmark = pytest.mark.slow

TEAM = "KST"
NEW = 55
"""R. Thornley, one of KST's lead-out men in the simulated start list (H. McAllister, 54, is
its sprinter; F. Thornley, 11, rides for HLG)."""


async def send_until(feed: ScriptedFeed, events: Iterator[FeedEvent], km: float) -> float:
    """Queue events until the first frame at or below `km` to go (by the frame's front rider);
    the feed time of that frame."""
    for event in events:
        await feed.queue.put(event)
        if isinstance(event, Telemetry):
            known = [f.km_to_finish for f in event.riders if f.km_to_finish is not None]
            if known and min(known) <= km:
                return event.t
    raise AssertionError(f"no frame at {km} km to go")


def watched(situation: Situation) -> set[int]:
    return {bib for group in situation.time_limit.groups for bib in group.watched}


async def test_the_palette_sets_a_sprinter_and_the_panels_follow() -> None:
    feed = ScriptedFeed()
    app = ArdoiseApp(
        feed,
        engine_settings(team=TeamSettings(code=TEAM)),
        feed_label="simulated",
        monotonic=lambda: 0.0,
    )
    events = iter(stage_events("flat"))
    async with app.run_test(size=(160, 45)) as pilot:
        t = await send_until(feed, events, 60.0)
        await wait_for(lambda: app.situation.t == t)
        assert 54 in watched(app.situation)
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.press(*"thornley kst")
        commands = palette.query_one(CommandList)

        def first() -> str:
            if not commands.option_count:
                return ""
            return str(commands.get_option_at_index(0).prompt)

        await wait_for(lambda: first().startswith(f"Sprinter: {NEW} R. Thornley (KST)"))
        await pilot.press("enter")
        said = "KST's sprinter set to R. Thornley"
        await wait_for(lambda: any(said in strip.text for strip in app.query_one(RaceRadio).lines))
        assert app.race.situation.roster.riders[NEW].role == "sprinter"
        assert app.race.situation.roster.riders[54].role is None

        t = await send_until(feed, events, 59.0)
        await wait_for(lambda: app.situation.t == t)
        assert NEW in watched(app.situation)
        assert 54 not in watched(app.situation)
        rows = [row.plain for row in app.query_one(TimeLimitPanel).lines]
        assert any("R. Thornley" in row for row in rows), rows  # my team's first

        t = await send_until(feed, events, 3.0)
        await wait_for(lambda: app.situation.t == t)
        trains = {train.team: train.sprinter for train in app.situation.leadout}
        assert trains.get(TEAM) == NEW
        mine = [row.plain for row in app.query_one(LeadoutPanel).lines if TEAM in row.plain]
        assert any("Thornley" in row for row in mine), mine


async def test_the_palette_lists_my_teams_riders_and_shows_names_as_text() -> None:
    feed = ScriptedFeed()
    app = ArdoiseApp(feed, engine_settings(team=TeamSettings(code=TEAM)), feed_label="simulated")
    start = stage_events("flat")[0]
    assert start.kind == "start_list"
    riders = list(start.riders)
    # A name from the feed that would be markup if it were read as such.
    riders[0] = riders[0].model_copy(update={"last_name": "[bold]Thornley[/]"})
    async with app.run_test(size=(120, 40)) as pilot:
        await feed.queue.put(start.model_copy(update={"riders": tuple(riders)}))
        await wait_for(lambda: bool(app.race.situation.roster.riders))
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        commands = palette.query_one(CommandList)

        def prompts() -> list[str]:
            return [
                str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
            ]

        # Nothing typed: my team's riders who are not its sprinter yet.
        await wait_for(lambda: any(p.startswith("Sprinter: 5") for p in prompts()))
        listed = [p for p in prompts() if p.startswith("Sprinter:")]
        assert all("(KST)" in p for p in listed)
        assert not any(p.startswith("Sprinter: 54 ") for p in listed)  # already the sprinter
        await pilot.press(*"[bold]")
        await wait_for(lambda: any("[bold]Thornley[/]" in p for p in prompts()))


async def test_what_the_roles_file_cannot_use_is_said_on_screen() -> None:
    roles = RolesFile.model_validate({"riders": {"Thornley": "leader"}})
    feed = ScriptedFeed()
    app = ArdoiseApp(
        feed,
        engine_settings(roles=DeclaredRoles(source="roles.toml", roles=roles)),
        feed_label="simulated",
    )
    async with app.run_test(size=(120, 40)):
        await feed.queue.put(stage_events("flat")[0])
        said = "roles.toml: riders.Thornley: 'Thornley' names several riders in the start list"
        await wait_for(lambda: any(said in strip.text for strip in app.query_one(RaceRadio).lines))
