"""The time machine's keys in the app: ←/→ and their shifts, `home`, `end`, a replay's `+`/`-`
(the seeking itself is `tui.timemachine`, the bindings `tui.seekkeys`).

In the past the race plays on as the feed sent it, at the replay's speed (a live feed's: real
time) until it meets the live feed, unless paused: a timer runs only while the screen is in
the past.

A base of `ArdoiseApp`: what it reads of the app (the engine's history, the adapter, the
situations) the app sets, and it draws through the app's own `_render`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.timer import Timer

from feeds.base import FeedAdapter
from race.situation import Situation
from tui.engineroom import EngineRoom
from tui.overscreens import OverScreens
from tui.seekkeys import next_speed
from tui.timemachine import Seek

if TYPE_CHECKING:
    from race.history import History

PLAY_EVERY_S = 0.5
"""How often the past moves on while it plays (wall time)."""


class Seeking(OverScreens):
    """The keys that move the screen through what the feed has sent, and a replay's speed."""

    _adapter: FeedAdapter
    _engine: EngineRoom
    _latest: Situation
    """The engine's latest situation (the screen may show an older one)."""
    _paused: bool
    _now: Callable[[], float]
    _playing: Timer | None = None
    """Plays the past on while the screen is in it."""
    _played_at = 0.0
    """When the past last moved on (the app's monotonic clock)."""

    _render: Callable[[Situation], None]
    """Draws a situation (`ArdoiseApp`'s method)."""
    _show_feed_status: Callable[[], None]
    """Draws the feed's state in the header (`ArdoiseApp`'s method)."""

    @property
    def in_past(self) -> bool:
        """The screen shows a past situation (the feed goes on meanwhile)."""
        return self._engine.in_past

    @property
    def history(self) -> History:
        return self._engine.history

    def action_seek(self, km: float) -> None:
        """Move `km` of the head's road (back when negative); past what the feed has sent, a
        replay goes ahead to there."""
        self._show_seek(self._engine.machine.step(km))

    def action_seek_start(self) -> None:
        self._show_seek(self._engine.machine.start())

    def action_live(self) -> None:
        self._show_seek(self._engine.machine.live())

    def _play_past(self) -> None:
        now = self._now()
        elapsed, self._played_at = now - self._played_at, now
        speed = self._adapter.speed
        if self._paused or speed == 0:  # Paused, or a replay with no pace to play at.
            return
        seek = self._engine.machine.play(elapsed * (speed if speed is not None else 1.0))
        if seek is not None:
            self._show_seek(seek)

    def _follow_past(self) -> None:
        """Play the past while the screen is in it; nothing runs once it is live."""
        if self._engine.in_past and self._playing is None:
            self._played_at = self._now()
            self._playing = self.set_interval(PLAY_EVERY_S, self._play_past)
        elif not self._engine.in_past and self._playing is not None:
            self._playing.stop()
            self._playing = None

    def _show_seek(self, seek: Seek) -> None:
        self._follow_past()
        if seek.said is not None:
            self.notify(seek.said, severity="warning", timeout=3, markup=False)
        if seek.go_ahead_km is not None and self._adapter.capabilities.seek:
            self._adapter.go_ahead_to_km(seek.go_ahead_km)
        self.refresh_bindings()
        if seek.past is not None:
            live = self._engine.race.situation
            # The race radio is a log of the live feed: it stays live in the past.
            self._render(
                seek.past.model_copy(
                    update={"alerts": live.alerts, "news": live.news, "new_alerts": 0}
                )
            )
        elif self._situation is not self._latest:
            self._render(self._latest)
        self._show_feed_status()

    def action_speed(self, factor: float) -> None:
        """A replay twice as fast (`factor` 2) or half as fast (0.5), within its bounds."""
        speed = self._adapter.speed
        if speed is None or not self._adapter.capabilities.seek:
            self.notify("live: speed is real time", timeout=3)
            return
        self._adapter.set_speed(next_speed(speed, factor, self._adapter.max_speed))
        self._show_feed_status()
