"""The race screen: header, time gaps, time limit, lead-out, profile and race radio."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from race.situation import Alert, Situation
from tui.panels.view import ViewContext
from tui.screens.group import GroupScreen
from tui.widgets.gaps import GapsPanel
from tui.widgets.header import RaceHeader
from tui.widgets.leadout import LeadoutPanel
from tui.widgets.panel import Panel
from tui.widgets.profile import ProfileStrip
from tui.widgets.radio import RaceRadio
from tui.widgets.timelimit import TimeLimitPanel


class RaceScreen(Screen[None]):
    """Renders a `Situation`; holds no race logic."""

    def __init__(self) -> None:
        super().__init__()
        self.situation: Situation | None = None
        self.view = ViewContext()
        # Made here and kept: updates never query the DOM, so a timer firing while the app
        # shuts down (children already removed) updates a detached widget instead of failing.
        self.header = RaceHeader(id="header")
        self.gaps = GapsPanel()
        self.time_limit = TimeLimitPanel()
        self.leadout = LeadoutPanel()
        self.profile = ProfileStrip()
        self.radio = RaceRadio()
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
            with Horizontal(id="top"):
                yield self.gaps
                yield self.time_limit
            yield self.leadout
            yield self.profile
            yield self.radio
        yield Footer()

    def show(self, situation: Situation, view: ViewContext) -> list[Alert]:
        """Render `situation`; return the alerts it raised that were not shown before."""
        self.situation = situation
        self.view = view
        fresh = self.radio.unseen_alerts(situation)
        for panel in self.panels:
            panel.show(situation, view)
        if self.detail is not None:
            self.detail.show(situation, view)
        self.set_class(view.blackout, "-stale")
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
        self.view = view
        if self.situation is not None:
            self.header.show(self.situation, view)
        self.set_class(view.blackout, "-stale")

    def on_resize(self, event: Resize) -> None:
        self.view = replace(self.view, width=event.size.width)
        self.set_class(self.view.wide, "-wide")
        if self.situation is not None:
            self.show(self.situation, self.view)
