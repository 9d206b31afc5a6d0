"""The time machine's keys in the app: ←/→ and their shifts, `home`, `end`, a replay's `+`/`-`
(the seeking itself is `tui.timemachine`, the bindings `tui.seekkeys`).

A base of `ArdoiseApp`: what it reads of the app (the engine's history, the adapter, the
situations) the app sets, and it draws through the app's own `_render`.
"""

from __future__ import annotations

from feeds.base import FeedAdapter
from race.history import History
from race.situation import Situation
from tui.overscreens import OverScreens
from tui.seekkeys import next_speed
from tui.timemachine import Seek, TimeMachine


class Seeking(OverScreens):
    """The keys that move the screen through what the feed has sent, and a replay's speed."""

    _adapter: FeedAdapter
    _history: History
    _machine: TimeMachine
    _latest: Situation
    """The engine's latest situation (the screen may show an older one)."""

    def _render(self, situation: Situation) -> None:
        """Draw `situation` (`ArdoiseApp`)."""
        raise NotImplementedError

    def _show_feed_status(self) -> None:
        """Draw the feed's state in the header (`ArdoiseApp`)."""
        raise NotImplementedError

    @property
    def in_past(self) -> bool:
        """The screen shows a past situation (the feed goes on meanwhile)."""
        return self._machine.in_past

    @property
    def history(self) -> History:
        return self._history

    def action_seek(self, km: float) -> None:
        """Move `km` of the head's road (back when negative); past what the feed has sent, a
        replay goes ahead to there."""
        self._show_seek(self._machine.step(km))

    def action_seek_start(self) -> None:
        self._show_seek(self._machine.start())

    def action_live(self) -> None:
        self._show_seek(self._machine.live())

    def _show_seek(self, seek: Seek) -> None:
        if seek.said is not None:
            self.notify(seek.said, severity="warning", timeout=3, markup=False)
        if seek.go_ahead_km is not None and self._adapter.capabilities.seek:
            self._adapter.go_ahead_to_km(seek.go_ahead_km)
        self.refresh_bindings()
        if seek.past is not None:
            live = self._race.situation
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
