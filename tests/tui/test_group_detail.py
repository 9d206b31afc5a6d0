"""A group's detail: chosen in the time gaps with the arrow keys and enter or a click, every
rider of the group with his team, nation, jersey and time-limit status; escape closes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.widgets import Static

from race.situation import GroupView, Situation
from tests.support.app import ScriptedFeed, post_situation, wait_for
from tests.support.stages import engine_settings, mountain_at
from tui.app import ArdoiseApp
from tui.panels.group import detail_lines, detail_notes, find_group
from tui.panels.view import ViewContext
from tui.screens.group import GroupScreen
from tui.screens.race import RaceScreen
from tui.themes import THEMES, VARIABLE_DEFAULTS
from tui.widgets.gaps import GapsPanel

SnapCompare = Callable[..., bool]


def _mountain() -> Situation:
    return mountain_at(20.0)[1]


def _group(situation: Situation, name: str) -> GroupView:
    return next(g for g in situation.groups if g.name == name)


def _app() -> ArdoiseApp:
    return ArdoiseApp(ScriptedFeed(), engine_settings(), feed_label="simulated")


def _detail(app: ArdoiseApp) -> GroupScreen | None:
    screen = app.screen
    return screen if isinstance(screen, GroupScreen) else None


async def test_arrows_and_enter_open_the_group_highlighted_and_escape_closes_it() -> None:
    situation = _mountain()
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await post_situation(app, situation)
        gaps = app.race_screen.gaps
        gaps.focus()
        await pilot.press("down")
        assert gaps.selected == situation.groups[0].id
        await pilot.press("down", "down", "up")
        assert gaps.selected == situation.groups[1].id
        highlighted = [i for i in range(len(gaps.lines)) if "-selected" in gaps.row_classes(i)]
        assert [gaps.lines[i].key for i in highlighted] == [situation.groups[1].id]
        await pilot.press("enter")
        await wait_for(lambda: _detail(app) is not None)
        detail = _detail(app)
        assert detail is not None
        assert detail.group_id == situation.groups[1].id
        await wait_for(lambda: len(detail.rows) == situation.groups[1].size)
        assert [row.key for row in detail.rows] == [str(b) for b in situation.groups[1].riders]
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, RaceScreen))
        assert app.race_screen.detail is None


async def test_a_click_on_a_groups_row_opens_that_group() -> None:
    situation = _mountain()
    wanted = _group(situation, "Grupetto 2")
    app = _app()
    async with app.run_test(size=(160, 48)) as pilot:
        await post_situation(app, situation)
        await pilot.pause()  # The rows laid out where the click lands.
        gaps = app.race_screen.gaps
        index = next(i for i, row in enumerate(gaps.lines) if row.key == wanted.id)
        # Below the panel's title, in its rows' column (past its padding).
        await pilot.click(gaps, offset=(2, gaps.TITLE_ROWS + index))
        await wait_for(lambda: _detail(app) is not None)
        detail = _detail(app)
        assert detail is not None
        assert detail.group_id == wanted.id
        await wait_for(lambda: len(detail.rows) == wanted.size)
        plain = [row.plain for row in detail.rows]
        assert all("! tight" in text for text in plain), "every rider of the grupetto is tight"


async def test_the_detail_follows_the_situations_and_a_group_gone() -> None:
    """A new situation redraws the detail; a group caught is followed into the group that
    holds its riders, said so."""
    situation = _mountain()
    chosen = _group(situation, "Group 5")
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await post_situation(app, situation)
        app.race_screen.post_message(GapsPanel.GroupChosen(chosen.id))
        await wait_for(lambda: _detail(app) is not None)
        detail = _detail(app)
        assert detail is not None
        # Group 5 caught by Group 6: the same situation with the two merged.
        merged = [g for g in situation.groups if g.id != chosen.id]
        at = next(i for i, g in enumerate(merged) if g.name == "Group 6")
        merged[at] = merged[at].model_copy(update={"riders": (*chosen.riders, *merged[at].riders)})
        await post_situation(app, situation.model_copy(update={"groups": tuple(merged)}))
        await wait_for(lambda: len(detail.rows) == merged[at].size)
        note = str(detail.query_one("#group-note", Static).render())
        assert "Group 5" in note
        assert "Group 6" in note
        await pilot.press("escape")


def test_rows_fit_the_width_and_the_teams_name_gives_way_first() -> None:
    situation = _mountain()
    group = _group(situation, "Grupetto 2")
    for width in (40, 60, 76, 118):
        _, rows = detail_lines(situation, group, None, width)
        assert all(len(row.plain) <= width for row in rows), width
    _, wide = detail_lines(situation, group, None, 118)
    _, narrow = detail_lines(situation, group, None, 40)
    team = situation.roster.teams[situation.roster.riders[group.riders[0]].team].name
    assert team in wide[0].plain
    assert team not in narrow[0].plain
    assert situation.roster.riders[group.riders[0]].team in narrow[0].plain


def test_the_yellow_jersey_is_named_and_a_group_gone_with_no_rider_left_is_none() -> None:
    situation = _mountain()
    leader = _group(situation, "Yellow jersey group")
    _, rows = detail_lines(situation, leader, None, 118)
    assert sum("●Y yellow" in row.plain for row in rows) == 1
    assert find_group(situation, "gone", "Break", (9999,)) is None


class DetailHarness(App[None]):
    """A group's detail over an empty screen, on a fixed situation."""

    CSS_PATH = ArdoiseApp.CSS_PATH

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def __init__(self, situation: Situation, group_id: str, theme: str) -> None:
        super().__init__()
        self._situation = situation
        self._group_id = group_id
        self._theme = theme

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = self._theme
        view = ViewContext(width=self.size.width)
        self.push_screen(GroupScreen(self._group_id, self._situation, view))


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
@pytest.mark.parametrize(
    "size", [(80, 24), (120, 36), (160, 48)], ids=["80x24", "120x36", "160x48"]
)
def test_group_detail_snapshot(
    snap_compare: SnapCompare, size: tuple[int, int], theme: str
) -> None:
    """The mountain stage at 20 km: the second grupetto, tight on the time limit."""
    situation = _mountain()
    harness = DetailHarness(situation, _group(situation, "Grupetto 2").id, theme)
    assert snap_compare(harness, terminal_size=size)


def test_without_jerseys_the_detail_says_the_feed_marks_none() -> None:
    """Race Center data: no jersey marks; the column is left out and a note says why."""
    situation = _mountain()
    bare = situation.model_copy(
        update={"groups": tuple(g.model_copy(update={"notable": ()}) for g in situation.groups)}
    )
    heading, _ = detail_lines(bare, _group(bare, "Yellow jersey group"), None, 118)
    assert "jersey" not in heading.plain
    assert "The feed marks no jerseys." in detail_notes(bare)


async def test_the_selection_keys_follow_the_keymap() -> None:
    situation = _mountain()
    app = ArdoiseApp(
        ScriptedFeed(),
        engine_settings(),
        feed_label="simulated",
        keymap={"group-down": "j", "group-riders": "o", "close-group": "x"},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await post_situation(app, situation)
        gaps = app.race_screen.gaps
        gaps.focus()
        await pilot.press("j", "j")
        assert gaps.selected == situation.groups[1].id
        await pilot.press("o")
        await wait_for(lambda: _detail(app) is not None)
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, RaceScreen))
