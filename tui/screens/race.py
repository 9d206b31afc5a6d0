"""The race screen: header, time gaps, time limit, lead-out, profile and race radio."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from race.models import FeedStatus
from race.situation import Alert, Situation
from tui.blackout import estimated_head_km, in_blackout
from tui.widgets.gaps import GapsPanel
from tui.widgets.header import RaceHeader
from tui.widgets.leadout import LeadoutPanel
from tui.widgets.profile import ProfileStrip
from tui.widgets.radio import RaceRadio
from tui.widgets.timelimit import TimeLimitPanel

WIDE_FROM = 120
"""From this many columns the gaps and the time limit sit side by side."""


class RaceScreen(Screen[None]):
    """Renders a `Situation`; holds no race logic."""

    def __init__(self, my_team: str | None, feed_label: str) -> None:
        super().__init__()
        self.my_team = my_team
        self.feed_label = feed_label
        self.situation: Situation | None = None
        self._data_age: float | None = None
        # Made here and kept: updates never query the DOM, so a timer firing while the app
        # shuts down (children already removed) updates a detached widget instead of failing.
        self.header = RaceHeader(id="header")
        self.gaps = GapsPanel()
        self.time_limit = TimeLimitPanel()
        self.leadout = LeadoutPanel()
        self.profile = ProfileStrip()
        self.radio = RaceRadio()

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

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE_FROM

    def show(self, situation: Situation, data_age_s: float | None) -> list[Alert]:
        """Render `situation`; return the alerts it raised that were not shown before."""
        self.situation = situation
        self._data_age = data_age_s
        wide = self.wide
        self.header.show_stage(situation)
        self.gaps.show(situation, self.my_team, wide=wide)
        self.time_limit.show(situation)
        self.leadout.show(situation, wide=wide, data_age_s=data_age_s)
        self.profile.show(situation)
        return self.radio.show(situation)

    def show_feed(
        self,
        feed: FeedStatus | None,
        age_s: float | None,
        *,
        paused: bool,
        label: str | None = None,
        retry_in_s: float | None = None,
    ) -> None:
        """The feed's state; during a blackout the last situation stays, marked stale, and the
        header estimates where the head of the race is now."""
        header = self.header
        header.show_feed(
            feed, age_s, paused=paused, label=label or self.feed_label, retry_in_s=retry_in_s
        )
        blackout = in_blackout(feed, age_s, paused=paused)
        self.set_class(blackout, "-stale")
        estimate = None
        if blackout and self.situation is not None and age_s is not None:
            estimate = estimated_head_km(self.situation, age_s)
        header.show_estimate(estimate)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE_FROM, "-wide")
        if self.situation is not None:
            self.show(self.situation, self._data_age)
