"""A frame's time against its riders' moves: a stamp the road does not bear out is held.

`race.tracking.feedtime` judges a frame's time against the times before it, and cannot tell a
run of frames stamped wrong from a real jump: two frames stamped two hours ahead once froze a
stage (every later frame "out of order"), frames stamped ten minutes ahead put every gap ten
minutes off, and a stamp that stuck for a minute while the riders rode on piled a minute of road
onto one instant of the head's passage times. The riders tell: between two frames they ride
about as far as their speed allows in the time between the stamps.

`StampCheck.admit` reads that for a sample of the riders (their median, so that ghosts and
riders who stopped do not decide). A frame whose time is far from what its riders rode is held,
with the frames that keep to it: a frame that agrees with the road already applied shows the
held ones were stamped wrong (dropped, counted); held frames agreeing with each other over two
minutes of their own time show the race really did something else in the meantime (a stop, a
hole where it slowed) and are applied in order. A frame that moves riders already placed at its
very instant is not of that instant. Only a race under way is judged (a road race once started,
a time trial), and only when enough riders ride (standing riders say nothing of time);
otherwise frames pass as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from statistics import median

from race.models import Bib, Telemetry
from race.tracking.tracks import RiderTrack, usable_km

AT_LINE_KM = 0.1
"""A rider this close to the line may be standing past it: he says nothing of the time."""
SAMPLE = 9
"""Riders read per frame, spread over it."""
MIN_RIDERS = 5
"""Fewer riders who can tell, and the frame passes unjudged."""
RIDING_KMH = 10.0
"""A rider slower than this over his last two minutes says nothing of the time."""
SPEED_WINDOW_S = 120.0
OFF_S = 120.0
"""A frame's time further than this, and than half its step, from what its riders rode is held."""
MOVED_KM = 0.025
"""A rider placed again at the instant of his last fix further than this (more than two of the
feed's 10 m steps) from it moved within it."""
RUN_FRAMES = 4
RUN_S = 120.0
"""Held frames that agree with each other, at least `RUN_FRAMES` of them over this much of
their own time, are believed: the race did something else (a run stamped wrong is rarely
that long, and the frames after it that agree with the road drop it)."""
CADENCE_S = 1.0
"""A frame this close to the feed's last step after the last frame passed keeps to its
cadence: it is not judged (most frames; a frame after a hole, at the same instant, or while
frames are held is)."""

Before = Callable[[Bib], tuple[float, float, float] | None]
"""Where a rider was: his last fix's time and km to go, and his speed (km/h); None if unknown."""


class StampCheck:
    """Holds frames whose time their riders' moves do not bear out (see the module docstring)."""

    def __init__(self) -> None:
        self.dropped = 0
        """Frames set aside: stamped at a time their riders did not ride."""
        self._held: list[Telemetry] = []
        self._last_t: float | None = None
        self._step = 0.0

    def admit(self, frame: Telemetry, tracks: Mapping[Bib, RiderTrack]) -> list[Telemetry]:
        """The frames to apply now, in order: none, this one, or a held run."""
        last_t = self._last_t
        if (
            not self._held
            and last_t is not None
            and frame.t > last_t
            and abs(frame.t - last_t - self._step) <= CADENCE_S
        ):
            return self._passing([frame])
        return self._passing(self._judged(frame, tracks))

    def _passing(self, frames: list[Telemetry]) -> list[Telemetry]:
        """`frames`, with the feed's last step and time noted."""
        for frame in frames:
            if self._last_t is not None:
                self._step = frame.t - self._last_t
            self._last_t = frame.t
        return frames

    def _judged(self, frame: Telemetry, tracks: Mapping[Bib, RiderTrack]) -> list[Telemetry]:
        """A frame off the feed's cadence, or while frames are held, against the road followed
        (`tracks`) and the frames held."""

        def on_road(bib: Bib) -> tuple[float, float, float] | None:
            track = tracks.get(bib)
            if track is None or track.finish_t is not None:
                return None
            path = track.path
            t, km, kmh = path.last_t, path.last_km, path.speed_kmh(SPEED_WINDOW_S)
            return (t, km, kmh) if t is not None and km is not None and kmh is not None else None

        if _agrees(frame, on_road):
            self.dropped += len(self._held)
            self._held = []
            return [frame]
        if not self._held:
            self._held = [frame]
            return []
        last = self._held[-1]
        fixes = {fix.bib: fix for fix in last.riders}

        def in_last(bib: Bib) -> tuple[float, float, float] | None:
            fix, road = fixes.get(bib), on_road(bib)
            if fix is None or road is None or fix.km_to_finish is None:
                return None
            return (last.t, fix.km_to_finish, road[2])

        if not _agrees(frame, in_last):
            # Neither the road nor the frames held: a run begins again from this frame (a
            # run held for good would drop every frame after it).
            self.dropped += len(self._held)
            self._held = [frame]
            return []
        self._held.append(frame)
        if len(self._held) < RUN_FRAMES or frame.t - self._held[0].t < RUN_S:
            return []
        run, self._held = self._held, []
        return run

    def passed(self, frame: Telemetry) -> list[Telemetry]:
        """`frame` unjudged (a race not under way): what was held is dropped."""
        self.reset()
        return self._passing([frame])

    def reset(self) -> None:
        """A new stage, or frames no longer judged: what was held is dropped (counted), and
        the feed's cadence is learnt again."""
        self.dropped += len(self._held)
        self._held = []
        self._last_t = None


def _agrees(frame: Telemetry, before: Before) -> bool:
    """Whether the frame's time agrees with how far its riders rode from `before` (True when
    too few riders can tell)."""
    offs: list[float] = []
    steps: list[float] = []
    moved = same = 0
    t = frame.t
    riders = frame.riders
    # Spread over the frame: a fault that comes in a block (a second source's stale fixes
    # first, ghosts) is one or two of the riders read, and the median stands.
    for fix in riders[:: max(1, len(riders) // SAMPLE)]:
        km = usable_km(fix.km_to_finish)
        was = before(fix.bib) if km is not None and km > AT_LINE_KM else None
        if was is None or km is None:
            continue
        t0, km0, kmh = was
        if t0 == t:
            same += 1
            moved += abs(km0 - km) > MOVED_KM
        elif kmh >= RIDING_KMH and t0 < t:
            steps.append(t - t0)
            offs.append(steps[-1] - (km0 - km) / kmh * 3600.0)
        if len(offs) + same >= SAMPLE:
            break
    if same >= MIN_RIDERS and moved * 2 > same:
        return False  # Riders already placed at this instant moved within it.
    if len(offs) < MIN_RIDERS:
        return True
    off = abs(median(offs))
    return off <= OFF_S or off <= median(steps) / 2
