"""What the panels are shown with besides the situation: the screen, the user, the feed's state.

The rule for stale data lives here, once: the header's words and the dimmed screen both follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from race.models import FeedState, FeedStatus

WIDE_FROM = 120
"""From this many columns the screen is wide: the gaps and the time limit sit side by side, and
the rows carry more (speeds, every lead-out man)."""
STALE_AFTER_S = 15.0
"""Data older than this is shown as stale, whatever the feed says (Race Center frames come
every ~6 s: two missed frames and a margin)."""
SILENT_STATES: frozenset[FeedState] = frozenset({"stale", "reconnecting", "error"})


@dataclass(frozen=True)
class ViewContext:
    """Everything a panel needs to know besides the `Situation`; the app makes a new one for
    each picture and each refresh of the feed's status."""

    width: int = 80
    """The screen's columns."""
    my_team: str | None = None
    data_age_s: float | None = None
    """Time since the last race data was received (statuses are not data); None before any."""
    paused: bool = False
    feed: FeedStatus | None = None
    """The feed's status to show (None before the first)."""
    retry_in_s: float | None = None
    """Seconds left before the feed's next connection attempt, counted down since its status."""
    feed_label: str = ""
    """How the header names the feed, e.g. "simulated"."""
    pause_key: str = "p"
    """The pause key as `[keymap]` sets it, for the hints that name it."""
    race_t: float | None = None
    """The newest feed time the engine has seen (ahead of the picture on screen while a burst
    is drawn a few frames a second): what a pop-up's age is counted against."""
    more_key: str = "m"
    """The key that shows every row, as the "+N more" lines name it."""
    in_past: bool = False
    """The situation shown is of the past (the time machine); the feed goes on meanwhile."""
    live_km: float | None = None
    """The head's km to go live, while the situation shown is of the past."""
    replay_speed: float | None = None
    """A replay's speed, when the header says it (in the past, or changed from the
    configuration's); 0: as fast as possible."""

    following: bool = False
    """The screen follows a feed that is sending: not paused, not in the past, not held for a
    screenshot, the feed live (its panels may then keep a row to spare: `RaceScreen`)."""

    @property
    def wide(self) -> bool:
        return self.width >= WIDE_FROM

    @property
    def feed_state(self) -> FeedState:
        """The feed's state as shown: "connecting" before its first status, and "stale" when
        it says "live" but its data is older than `STALE_AFTER_S`."""
        state: FeedState = self.feed.state if self.feed is not None else "connecting"
        age = self.data_age_s
        if state == "live" and age is not None and age > STALE_AFTER_S:
            return "stale"
        return state

    @property
    def blackout(self) -> bool:
        """The data on screen is old because the feed is silent (not paused, not ended): the
        last situation stays, dimmed, and the header estimates where the head is now."""
        if self.paused or self.feed is None or self.data_age_s is None:
            return False
        return self.feed_state in SILENT_STATES


def failed(feed: FeedStatus | None, failure: str | None) -> FeedStatus | None:
    """The feed's state to show: when the adapter itself failed (`failure`), it can no longer
    report, and an error status says so for it."""
    if failure is None:
        return feed
    return FeedStatus(
        state="error",
        at=feed.at if feed else 0.0,
        detail=f"stopped: {failure}",
        rejected=feed.rejected if feed else 0,
        other_stage=feed.other_stage if feed else 0,
    )
