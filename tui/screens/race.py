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

    def compose(self) -> ComposeResult:
        yield RaceHeader(id="header")
        with Vertical(id="main"):
            with Horizontal(id="top"):
                yield GapsPanel()
                yield TimeLimitPanel()
            yield LeadoutPanel()
            yield ProfileStrip()
            yield RaceRadio()
        yield Footer()

    @property
    def wide(self) -> bool:
        return self.size.width >= WIDE_FROM

    def show(self, situation: Situation, data_age_s: float | None) -> list[Alert]:
        """Render `situation`; return the alerts it raised that were not shown before."""
        self.situation = situation
        self._data_age = data_age_s
        wide = self.wide
        self.query_one(RaceHeader).show_stage(situation)
        self.query_one(GapsPanel).show(situation, self.my_team, wide=wide)
        self.query_one(TimeLimitPanel).show(situation)
        self.query_one(LeadoutPanel).show(situation, wide=wide, data_age_s=data_age_s)
        self.query_one(ProfileStrip).show(situation)
        return self.query_one(RaceRadio).show(situation)

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
        header = self.query_one(RaceHeader)
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
