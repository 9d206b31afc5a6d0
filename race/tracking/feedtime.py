"""The feed's own clock: which frames' times can be believed.

The engine's time comes only from the frames, so one wrong timestamp can freeze a stage: a
frame a day ahead (or in milliseconds) made every later frame "out of order" and 635 of 1,236
frames were dropped. `FeedClock` admits frames in time order, drops times that cannot be UNIX
seconds, and holds a frame that jumps far ahead until the next frame follows it. Once the
race is under way, each frame's time is first judged against its riders' moves
(`race.tracking.stamps`).
"""

from __future__ import annotations

from collections.abc import Mapping

from race.models import Bib, Telemetry
from race.tracking.stamps import StampCheck
from race.tracking.tracks import RiderTrack

EARLIEST_T = 946_684_800.0
"""2000-01-01: a frame time before this is not UNIX seconds (nor a race Ardoise follows)."""
LATEST_T = 4_102_444_800.0
"""2100-01-01: a time beyond this is milliseconds, or garbage."""
MAX_STEP_S = 1800.0
"""A frame further ahead of the last one than this (real feeds have holes of up to ~10
minutes) is held until the next frame confirms the jump."""


class FeedClock:
    """Admits frames whose time can be believed, in order."""

    def __init__(self) -> None:
        self.t: float | None = None
        """Time of the last admitted frame."""
        self._dropped = 0
        self._held: Telemetry | None = None
        self._stamps = StampCheck()

    @property
    def dropped(self) -> int:
        """Frames set aside: out of order, an impossible time, a jump nothing confirmed, or a
        time the riders' moves did not bear out."""
        return self._dropped + self._stamps.dropped

    def admit(
        self, frame: Telemetry, racing: bool, road: Mapping[Bib, RiderTrack] | None = None
    ) -> list[Telemetry]:
        """The frames to apply now, in order: none, this one, or held ones and this one.

        Before the race (`racing` False) nothing has been kept from earlier frames, so a
        frame far behind the last one means the last one's time was wrong: the clock starts
        again from this frame instead of dropping everything after it. `road`, the riders of
        a race under way, judges the frame's time against their moves.
        """
        if not EARLIEST_T <= frame.t <= LATEST_T:  # Also false for NaN.
            self._dropped += 1
            return []
        judged = self._stamps.admit(frame, road) if road is not None else self._stamps.passed(frame)
        return [admitted for one in judged for admitted in self._in_order(one, racing)]

    def _in_order(self, frame: Telemetry, racing: bool) -> list[Telemetry]:
        t = frame.t
        out: list[Telemetry] = []
        held = self._held
        if held is not None:
            self._held = None
            if held.t <= t <= held.t + MAX_STEP_S:
                self.t = held.t  # Confirmed: the feed really jumped ahead.
                out.append(held)
            else:
                self._dropped += 1
        last = self.t
        if last is not None:
            if t < last:
                if racing or last - t <= MAX_STEP_S:
                    # Out of order: the newer picture stands. (A frame at the same instant is
                    # merged: some feeds split an instant into partial frames.)
                    self._dropped += 1
                    return out
            elif t > last + MAX_STEP_S and racing and not out:
                self._held = frame
                return out
        self.t = t
        out.append(frame)
        return out

    def reset(self) -> None:
        """A new stage: its frames are judged on their own."""
        self.t = None
        self._held = None
        self._stamps.reset()
