"""The race screen: header, time gaps, time limit, lead-out, profile and race radio.

The panels' heights are shared by priority (`tui.panels.fold`): every panel gets the rows of
its must-see lines, then all its rows while the screen has some left; the race radio takes the
rest. Nothing overlaps and nothing scrolls out of sight without a "+N more" line saying so.
While a live feed is followed, a panel keeps the rows it had a moment ago (`HOLD_ROWS_S`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.scalar import Scalar
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from race.situation import Alert, Situation
from tui.panels.fold import Block, HeightHold, keep_heights, least_rows, share_rows
from tui.panels.lines import Line
from tui.panels.view import ViewContext
from tui.screens.group import GroupScreen
from tui.widgets.gaps import GapsPanel
from tui.widgets.header import RaceHeader
from tui.widgets.leadout import LeadoutPanel
from tui.widgets.panel import Panel, RowsPanel
from tui.widgets.popup import PopupLine
from tui.widgets.profile import ProfileStrip
from tui.widgets.radio import RaceRadio
from tui.widgets.timelimit import TimeLimitPanel

HEADER_ROWS = 2
FOOTER_ROWS = 1
HOLD_ROWS_S = 30.0
"""A block keeps the most rows it had over this many seconds (of the screen's clock), from the
race radio's spare rows, then from the rows blocks of lower priority could fold
(`keep_heights`): the finale's trains come and go by a row or more every few seconds, and each
change would move every panel below (for the eye to find again) and lay the whole screen out
again (the costliest part of drawing one). Arranged exactly when the screen does not follow a
feed (`ViewContext.following`)."""
RADIO_RESERVE = 2
"""The race radio's rows (its title and one line) before the panels' rows that may fold."""
SIDE_GUTTER = 2
"""Columns between the time gaps and the time limit side by side."""


class RaceScreen(Screen[None]):
    """Renders a `Situation`; holds no race logic."""

    def __init__(
        self,
        on_composed: Callable[[], None] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """
        Args:
            on_composed: called once its panels are mounted, before its first layout.
            clock: seconds, for how long a panel keeps rows it had (`HOLD_ROWS_S`).
        """
        super().__init__()
        self._on_composed = on_composed
        self._clock = clock
        self.situation: Situation | None = None
        self.view = ViewContext()
        self._hold = HeightHold(HOLD_ROWS_S)
        # Made here and kept: updates never query the DOM, so a timer firing while the app
        # shuts down (children already removed) updates a detached widget instead of failing.
        self.header = RaceHeader(id="header")
        self.gaps = GapsPanel()
        self.time_limit = TimeLimitPanel()
        self.leadout = LeadoutPanel()
        self.profile = ProfileStrip()
        self.radio = RaceRadio()
        self.popup = PopupLine()
        self.top = Horizontal(id="top")
        """The time gaps and the time limit: side by side (`-side`) or one above the other."""
        self.panels: list[Panel] = [
            self.header,
            self.gaps,
            self.time_limit,
            self.leadout,
            self.profile,
            self.radio,
        ]
        """Every panel, each shown the same way."""
        self.detail: GroupScreen | None = None
        """The group's detail open over this screen, shown each new situation too."""

    def compose(self) -> ComposeResult:
        yield self.header
        with Vertical(id="main"):
            with self.top:
                yield self.gaps
                yield self.time_limit
            yield self.leadout
            yield self.profile
            yield self.radio
            yield self.popup
        yield Footer()

    def on_mount(self) -> None:
        if self._on_composed is not None:
            self._on_composed()

    def show(self, situation: Situation, view: ViewContext) -> list[Alert]:
        """Render `situation`; return the alerts it raised that were not shown before."""
        self.situation = situation
        self.view = view
        fresh = self.radio.unseen_alerts(situation)
        self.popup.offer(fresh, situation, view)
        for panel in self.panels:
            panel.show(situation, view)
        # A time trial has no trains: its rows go to the riders on course.
        self.leadout.display = situation.time_trial is None
        self.popup.update_for(situation, view)
        self.arrange_rows()
        if self.detail is not None:
            self.detail.show(situation, view)
        self.set_class(view.blackout, "-stale")
        from tui.screens.more import MoreScreen  # Its module imports this one.

        for screen in self.app.screen_stack:
            if isinstance(screen, MoreScreen):
                screen.refresh_rows()
        return fresh

    def on_gaps_panel_group_chosen(self, message: GapsPanel.GroupChosen) -> None:
        """Open the group's detail over the race."""
        if self.situation is None or self.detail is not None:
            return
        self.detail = GroupScreen(message.group_id, self.situation, self.view)

        def closed(_: None) -> None:
            self.detail = None

        self.app.push_screen(self.detail, closed)

    def show_status(self, view: ViewContext) -> None:
        """Between two situations: the feed's state and the data's age in the header; during a
        blackout the last situation stays, dimmed, and the header estimates where the head of
        the race is now."""
        was_following, self.view = self.view.following, view
        if self.situation is not None:
            self.header.show(self.situation, view)
            popup_changed = self.popup.display != self.popup.update_for(self.situation, view)
            if popup_changed or was_following != view.following:
                self.arrange_rows()
        self.set_class(view.blackout, "-stale")

    def every_line(self) -> list[tuple[str, list[Line]]]:
        """Each panel's title and every line it has, folded or not."""
        panels: list[RowsPanel] = [self.gaps, self.time_limit, self.leadout]
        return [(str(p.border_title or ""), p.all_lines) for p in panels if p.display]

    def arrange_rows(self) -> None:
        """Share the screen's rows between the panels by priority; the radio takes the rest."""
        height = self.size.height
        if height <= 0:
            return
        available = height - HEADER_ROWS - FOOTER_ROWS - (1 if self.popup.display else 0)
        if self.view.wide:
            cells = self.profile.styles.height.cells if self.profile.styles.height else None
            available -= cells or 0
        gaps, limit = _block(self.gaps), _block(self.time_limit)
        leadout = _block(self.leadout) if self.leadout.display else Block(0, 0)
        side_by_side = self._side_by_side()
        top = (
            [("top", Block(max(gaps.least, limit.least), max(gaps.full, limit.full)))]
            if side_by_side
            else [("limit", limit), ("gaps", gaps)]
        )
        finale = self.situation is not None and self.situation.finale.active
        named = [("leadout", leadout), *top] if finale else [*top, ("leadout", leadout)]
        blocks = [block for _, block in named]
        sizes = share_rows(available, blocks, RADIO_RESERVE)
        if self.view.following:
            spare = available - sum(sizes) - RADIO_RESERVE
            now = self._clock()
            held = [
                self._hold.most(name, size, now)
                for (name, _), size in zip(named, sizes, strict=True)
            ]
            sizes = keep_heights(sizes, held, blocks, spare)
        else:
            self._hold.clear()
        rows = {name: size for (name, _), size in zip(named, sizes, strict=True)}
        key = self.view.more_key
        self.gaps.fit(rows["top"] if side_by_side else rows["gaps"], key)
        self.time_limit.fit(rows["top"] if side_by_side else rows["limit"], key)
        self.leadout.fit(rows["leadout"], key)
        self.radio.display = available - sum(sizes) >= RADIO_RESERVE

    def _side_by_side(self) -> bool:
        """On a wide screen, the time gaps and the time limit side by side when both fit whole
        (the time limit as wide as its rows, the gaps the rest); else one above the other,
        each the screen's width: no value is cut while the screen has room for it."""
        gaps, limit = _columns(self.gaps), _columns(self.time_limit)
        side = self.view.wide and gaps + limit + SIDE_GUTTER <= self.size.width
        # On the container only: a class on the screen would restyle every widget on it.
        self.top.set_class(side, "-side")
        width = None if not side else Scalar.from_number(limit)
        if self.time_limit.styles.inline.width != width:
            # Only when it changes: even no width set again lays the whole screen out.
            self.time_limit.styles.width = width
        return side

    def on_resize(self, event: Resize) -> None:
        self.view = replace(self.view, width=event.size.width)
        self.profile.set_class(self.view.wide, "-wide")
        if self.situation is not None:
            self.show(self.situation, self.view)
        # The stylesheet's rules for the new width apply at the next refresh: measure again.
        self.call_after_refresh(self.arrange_rows)


def _columns(panel: RowsPanel) -> int:
    """The columns `panel` needs to show every row whole (its padding and scrollbar
    included)."""
    return max((len(ln.plain) for ln in panel.all_lines), default=0) + panel.CHROME_COLUMNS


def _block(panel: RowsPanel) -> Block:
    lines = panel.all_lines
    return Block(panel.TITLE_ROWS + least_rows(lines), panel.TITLE_ROWS + len(lines))
