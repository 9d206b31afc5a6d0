"""Whether the speeds a feed reports are the riders' speeds.

A feed may send 0 for a speed it does not have, or metres a second for kilometres an hour: the
riders then seem to ride at 0 or 12 km/h while their positions move at 45. Every so often a
sample of the riders' reported speeds is set against the speeds their own positions give; while
the two disagree, the reported speeds are not used (the groups' and the head's speeds come from
the positions, a rider's own speed is unknown), and they are used again once they agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import median

from race.alerts import AlertLog
from race.models import Bib, Telemetry
from race.tracking.tracks import RACING_KMH, RiderTrack, usable_speed

CHECK_EVERY = 5
"""Frames between two checks (30 s of a 6 s feed): a feed's units do not change often."""
ROAD_S = 60.0
"""The riders' own speed is their road over this long: short enough to follow a crest."""
SAMPLE = 15
"""Riders compared at each check, spread through the frame."""
AGREE = (0.5, 2.0)
"""The reported speeds' median over the positions' median, when both are speeds: a bunch's
devices and its road agree within a few km/h; 0, or a third (m/s), is not that."""
CONFIRM = 2
"""Checks in a row that must disagree (or agree again) before the verdict changes."""


class ReportedSpeeds:
    """Follows whether the feed's speeds are to be used (`trusted`)."""

    def __init__(self) -> None:
        self.trusted = True
        self._frames = 0
        self._streak = 0
        """Checks in a row whose answer differs from the verdict."""
        self._news: str | None = None

    def check(self, frame: Telemetry, riders: Mapping[Bib, RiderTrack]) -> bool:
        """Whether this frame's reported speeds are to be used: every `CHECK_EVERY` frames a
        sample of them is set against the riders' own road over the last minute."""
        self._frames += 1
        if self._frames % CHECK_EVERY:
            return self.trusted
        fixes = frame.riders
        step = max(1, len(fixes) // SAMPLE)
        reported: list[float] = []
        ridden: list[float] = []
        now: list[float] = []
        for fix in fixes[::step]:
            track = riders.get(fix.bib)
            speed = usable_speed(fix.speed_kmh)
            road = track.path.speed_kmh(ROAD_S) if track is not None else None
            if speed is not None and road is not None and track is not None:
                reported.append(speed)
                ridden.append(road)
                now.append(track.path.speed_kmh(0.0) or 0.0)
        if len(ridden) * 2 < SAMPLE:
            return self.trusted  # Too few riders with both: nothing to say.
        road_kmh = median(ridden)
        if road_kmh < RACING_KMH or median(now) < RACING_KMH:
            # A field standing or rolling, over the last minute or since its last fixes (a
            # race just stopped: its devices say 0 while its minute's road still moves).
            return self.trusted
        reported_kmh = median(reported)
        agree = AGREE[0] <= reported_kmh / road_kmh <= AGREE[1]
        self._streak = self._streak + 1 if agree != self.trusted else 0
        if self._streak >= CONFIRM:
            self.trusted, self._streak = agree, 0
            self._news = (
                "Feed: the riders' speeds agree with their positions again"
                if agree
                else f"Feed: speeds of {reported_kmh:.0f} km/h while the riders' positions "
                f"move at {road_kmh:.0f}: speeds taken from the positions"
            )
        return self.trusted

    def say(self, alerts: AlertLog, t: float) -> None:
        """On the race radio, once, that the verdict has just changed."""
        if self._news is not None:
            alerts.raise_(t, "feed_speeds", self._news, "info")
            self._news = None
