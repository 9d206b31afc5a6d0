"""The race stopped: the head of the race and the field standing (a neutralisation), whose time
no gap counts.

A gap is now minus when the head passed the rider's point (DESIGN.md, "Time gap"). When the
whole race stands, that grows by a second every second for everyone behind the head, and after
the restart every rider still short of where the head stopped reads the stop in his gap: on the
Pau stage stopped ten minutes at 80 km to go, the bunch read +13:24 instead of +3:24 for three
and a half minutes after the restart, with the time limit's false alarms. The organiser restarts
the groups with the gaps they had; so does Ardoise: the time the race stood between the head's
passage and now is taken out of the gap. A crash that stops the bunch while the break rides on
is no stop of the race (the bunch really loses that time), nor is the head alone standing.
"""

from __future__ import annotations

from collections.abc import Sequence

from race.alerts import AlertLog
from race.tracking.tracks import RiderTrack
from race.tracking.trajectory import Trajectory
from race.wording import clock, km

STANDING_KMH = 5.0
"""A rider (or the head) slower than this stands."""
STOPPED_AFTER_S = 60.0
"""The head standing this long, with most of the field, is the race stopped."""
FIELD_SHARE = 0.8
"""The share of the riders in the frame standing with the head for the race to be stopped."""
ARRIVED_KM = 0.015
"""The stop began when the head reached this close to where it stands (a step and a half of
the feed's 10 m: the noise of a standing fix aside)."""
SAMPLE = 15
"""Riders read for the field's share standing or moving, spread through the frame."""


class Stops:
    """When the race stood (see the module docstring)."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        """The stops over: (from, to) in feed time, in order, never overlapping."""
        self.since: float | None = None
        """The stop under way: since when (None: the race is not stopped)."""
        self._last_t: float | None = None
        self._said: list[tuple[str, str]] = []

    def __bool__(self) -> bool:
        return bool(self.spans) or self.since is not None

    def update(
        self, t: float, head: Trajectory, first: RiderTrack, fresh: Sequence[RiderTrack]
    ) -> None:
        """One frame of the race on the road: the head's road, the first rider in the frame,
        and the riders in it. The race stops when the first rider seen and most of the field
        have stood a while; it goes on when most of the riders in a frame move (a head the
        feed lost, placed at its pace, does not decide)."""
        last_t, self._last_t = self._last_t, t
        head_km = head.last_km
        if head_km is None or not fresh:
            return
        if self.since is not None:
            if _share(fresh, 0.0, moving=True) > 0.5:
                # Between the last frame where the field stood and this one.
                end = max(self.since, (last_t + t) / 2 if last_t is not None else t)
                self.spans.append((self.since, end))
                self._said.append(
                    (
                        "race_goes_on",
                        f"The race goes on {km(head_km)} km out after "
                        f"{clock(end - self.since)} stopped",
                    )
                )
                self.since = None
            return
        path = first.path
        speed = path.speed_kmh(STOPPED_AFTER_S)
        if first.t != t or speed is None or speed > STANDING_KMH or path.first_t is None:
            return
        if t - path.first_t < STOPPED_AFTER_S or _share(fresh, STOPPED_AFTER_S) < FIELD_SHARE:
            return
        arrived = head.passage_time(head_km + ARRIVED_KM)
        since = arrived if arrived is not None and arrived < t else t
        self.since = max(since, self.spans[-1][1]) if self.spans else since
        self._said.append(
            (
                "race_stopped",
                f"The race is stopped {km(head_km)} km out (the head and the field standing): "
                "the gaps are kept as they were",
            )
        )

    def between(self, start: float, end: float) -> float:
        """How long the race stood between `start` and `end` (feed times)."""
        total = 0.0
        spans = self.spans if self.since is None else [*self.spans, (self.since, end)]
        for a, b in spans:
            total += max(0.0, min(b, end) - max(a, start))
        return total

    def raced_s(self, start: float, end: float) -> float:
        """The race's time from `start` to `end`, without the time it stood (a neutralisation
        is not raced: its time counts for nobody)."""
        return end - start - (self.between(start, end) if self else 0.0)

    def passage_time(self, head: Trajectory, km_to_finish: float, now: float) -> float | None:
        """When the head of the race passed `km_to_finish`, later by the time the race has
        stood since: `now` minus it is the point's gap."""
        passed = head.passage_time(km_to_finish)
        return passed + self.between(passed, now) if passed is not None and self else passed

    def say(self, alerts: AlertLog, t: float) -> None:
        """The race radio's lines for a stop begun or over since the last call."""
        for kind, text in self._said:
            alerts.raise_(t, kind, text, "warning" if kind == "race_stopped" else "info")
        self._said = []


def _share(riders: Sequence[RiderTrack], window_s: float, *, moving: bool = False) -> float:
    """The share of a sample of `riders` standing over the last `window_s` (0: since their
    previous fix), or moving when `moving`."""
    sample = riders[:: max(1, len(riders) // SAMPLE)]
    counted = 0
    for rider in sample:
        speed = rider.path.speed_kmh(window_s)
        counted += speed is not None and (speed > STANDING_KMH) == moving
    return counted / len(sample)
