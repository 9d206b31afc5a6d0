"""The time machine: where the viewer is in the stage (live, or at a point of the past) and where
each seek key takes him, by km of the head's road. No Textual here: the app asks, and shows the
answer (`tui.app`); the past itself is `race.history`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from race.situation import Situation

if TYPE_CHECKING:
    from race.history import History

HOLE_S = 600.0
"""A hole in the feed longer than this (feed time) is not played out in the past: the next
frame comes at once (a night between two relayed stages, a long pre-start silence)."""


@dataclass(frozen=True)
class Seek:
    """Where a seek key took the viewer."""

    past: Situation | None = None
    """The situation to show; None: live."""
    go_ahead_km: float | None = None
    """Past what the feed has delivered: the km to go the replay is to go ahead to."""
    said: str | None = None
    """Why the view did not move (said to the user)."""


class TimeMachine:
    """The viewer's place in a `History`: live, or after its first `entries` entries."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.entries: int | None = None
        """How many entries the situation shown in the past had seen; None: live."""
        self._clock: float | None = None
        """The past's own feed time as it plays on (None: at its last frame)."""

    @property
    def in_past(self) -> bool:
        return self.entries is not None

    @property
    def head_km(self) -> float | None:
        """The head's km to go where the viewer is."""
        if self.entries is None:
            return self.history.race.situation.head_km_to_finish
        return self.history.head_km_after(self.entries)

    def play(self, feed_s: float) -> Seek | None:
        """Let the past go on by `feed_s` seconds of feed time, as the feed sent it: the
        situation reached, live once it is all played, None when no new frame is due."""
        if self.entries is None:
            return None
        clock = self._clock
        if clock is None:
            clock = self.history.last_frame_t(self.entries)
        upcoming = self.history.next_frame_t(self.entries)
        if upcoming is None:
            return self.live()
        if clock is None or upcoming - clock > HOLE_S:
            clock = upcoming - feed_s  # No frame yet, or a long hole: on to the next frame.
        self._clock = clock + feed_s
        entries = self.history.entries_to(self._clock)
        if entries >= len(self.history):
            return self.live()
        if entries <= self.entries:
            return None
        return self._go(entries)

    def step(self, km: float) -> Seek:
        """Move `km` of the head's road: forward (towards the line) when positive, back when
        negative."""
        self._clock = None
        here = self.head_km
        if here is None:
            return self._stay("no km to go yet: the race is not seen on the road")
        if km < 0:
            return self._back_to(here - km)
        target = here - km
        entries = self.history.entries_to_km(target)
        if entries is None:  # Not delivered yet: live, and the replay may go ahead.
            self.entries = None
            return Seek(go_ahead_km=max(target, 0.0))
        return self._go(entries)

    def _back_to(self, km: float) -> Seek:
        first = self.history.first_head_entries()
        start = self.history.head_km_after(first) if first is not None else None
        if first is None or start is None:
            return self._stay("no km to go yet: the race is not seen on the road")
        if self.entries is not None and self.entries <= first:
            return self._stay("at the start of what the feed has sent")
        entries = first if km >= start else self.history.entries_to_km(km)
        return self._go(entries if entries is not None else first)

    def start(self) -> Seek:
        """Where the feed first showed the head of the race."""
        self._clock = None
        first = self.history.first_head_entries()
        if first is None:
            return self._stay("no km to go yet: the race is not seen on the road")
        return self._go(first)

    def after(self, entries: int) -> Seek:
        """The situation after the history's first `entries` entries (live: all of them)."""
        self._clock = None
        return self._go(entries)

    def live(self) -> Seek:
        self.entries = None
        self._clock = None
        self.history.forget_restored()  # A whole engine: not kept while nobody looks back.
        return Seek()

    def _go(self, entries: int) -> Seek:
        if entries >= len(self.history):
            return self.live()
        self.entries = entries
        return Seek(past=self.history.situation_after(entries))

    def _stay(self, reason: str) -> Seek:
        past = self.history.situation_after(self.entries) if self.entries is not None else None
        return Seek(past=past, said=reason)
