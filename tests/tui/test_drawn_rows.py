"""Widgets that draw their rows themselves: a change repaints the rows it changed, and a
fitted panel's height does not follow its lines (no layout for a line more or less)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Offset, Region
from textual.selection import Selection

from tests.support.app import wait_for
from tests.support.stages import flat_at
from tui.panels.lines import line
from tui.panels.profile import group_marks, profile_lines, road
from tui.panels.view import ViewContext
from tui.widgets.panel import RowsPanel
from tui.widgets.profile import ProfileStrip


def test_the_profile_drawn_on_a_kept_road_is_the_profile() -> None:
    _, situation = flat_at(14.0)
    stage = situation.stage
    assert stage is not None
    marks = group_marks(situation)
    for width, rows in ((80, 6), (158, 6), (60, 1)):
        kept = road(stage, width, rows)
        assert profile_lines(stage, marks, width, rows, drawn=kept) == profile_lines(
            stage, marks, width, rows
        )
    assert road(None, 80, 6) is None
    assert road(stage, 5, 6) is None, "too narrow for a profile"


class _Profile(App[None]):
    def compose(self) -> ComposeResult:
        yield ProfileStrip()


async def test_a_group_moving_repaints_the_rows_of_the_marks_only() -> None:
    _, before = flat_at(14.0)
    _, after = flat_at(5.0)
    app = _Profile()
    async with app.run_test(size=(100, 6)) as pilot:
        strip = app.query_one(ProfileStrip)
        strip.show(before, ViewContext(width=100))
        await pilot.pause()
        drawn = [strip.render_line(y).text for y in range(strip.size.height)]
        assert drawn == str(strip.render()).split("\n")
        repainted: list[Region] = []
        refresh = strip.refresh

        def noted(*regions: Region, **options: bool) -> ProfileStrip:
            repainted.extend(regions)
            return refresh(*regions, **options)

        strip.refresh = noted  # type: ignore[method-assign]
        strip.show(after, ViewContext(width=100))
        rows = {region.y for region in repainted}
        # Rows: the climbs, the altitude (the marks on its bottom row), the names, the km.
        height = strip.size.height
        assert rows, "the groups moved"
        assert rows <= {height - 3, height - 2}, "only the marks' and the names' rows"
        await wait_for(lambda: [strip.render_line(y).text for y in range(height)] != drawn)
        assert [strip.render_line(y).text for y in range(height)] == str(strip.render()).split("\n")


class _Rows(App[None]):
    def compose(self) -> ComposeResult:
        yield RowsPanel("ROWS", id="rows")


async def test_a_fitted_panel_is_as_tall_as_its_rows_whatever_its_lines() -> None:
    app = _Rows()
    async with app.run_test(size=(40, 20)) as pilot:
        panel = app.query_one(RowsPanel)
        panel.fit(6)
        for count in (2, 4, 9):
            panel.set_rows([line(f"row {n}") for n in range(count)])
            await pilot.pause()
            assert panel.outer_size.height == 6
            assert panel.virtual_size.height == 5, "six rows, the title's one of them"
            assert len(panel.lines) == min(count, 5)
        assert [ln.plain for ln in panel.lines][-1].startswith("+5 more"), "folded"
        texts = [panel.render_line(y).text.rstrip() for y in range(5)]
        assert texts == [ln.plain for ln in panel.lines]


async def test_the_rows_selected_with_the_mouse_are_copied_as_text() -> None:
    app = _Rows()
    async with app.run_test(size=(40, 20)) as pilot:
        panel = app.query_one(RowsPanel)
        panel.set_rows([line("first row"), line("second row")])
        await pilot.pause()
        assert panel.get_selection(Selection(None, None)) == ("first row\nsecond row", "\n")
        part = Selection(Offset(6, 0), Offset(6, 1))
        assert panel.get_selection(part) == ("row\nsecond", "\n")
