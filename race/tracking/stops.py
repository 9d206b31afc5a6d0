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
MOVING_S = 12.0
"""The head is moving again when it rode faster than a standing pace over this long."""


class Stops:
    """When the race stood (see the module docstring)."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        """The stops over: (from, to) in feed time."""
        self.since: float | None = None
        """The stop under way: since when (None: the race is not stopped)."""
        self._km: float | None = None
        self._said: list[tuple[str, str]] = []

    def __bool__(self) -> bool:
        return bool(self.spans) or self.since is not None

    def update(self, t: float, head: Trajectory, fresh: Sequence[RiderTrack]) -> None:
        """One frame of the race on the road: the head's road and the riders in the frame."""
        head_km = head.last_km
        if head_km is None:
            return
        if self.since is not None:
            speed = head.speed_kmh(MOVING_S)
            if speed is not None and speed > STANDING_KMH:
                # It went on when it left where it stood, as it stopped when it got there.
                left = head.passage_time((self._km or head_km) - ARRIVED_KM)
                end = min(max(left if left is not None else t, self.since), t)
                self.spans.append((self.since, end))
                self._said.append(
                    (
                        "race_goes_on",
                        f"The race goes on {km(head_km)} km out "
                        f"after {clock(end - self.since)} stopped",
                    )
                )
                self.since = None
            return
        speed = head.speed_kmh(STOPPED_AFTER_S)
        first_t = head.first_t
        if speed is None or speed > STANDING_KMH or first_t is None:
            return
        if t - first_t < STOPPED_AFTER_S or not fresh:
            return
        standing = sum(
            1
            for r in fresh
            if (s := r.path.speed_kmh(STOPPED_AFTER_S)) is not None and s <= STANDING_KMH
        )
        if standing < FIELD_SHARE * len(fresh):
            return
        arrived = head.passage_time(head_km + ARRIVED_KM)
        self._km = head_km
        self.since = arrived if arrived is not None and arrived < t else t
        self._said.append(
            (
                "race_stopped",
                f"The race is stopped {km(head_km)} km out (the head "
                "and the field standing): the gaps are kept as they were",
            )
        )

    def between(self, start: float, end: float) -> float:
        """How long the race stood between `start` and `end` (feed times)."""
        total = 0.0
        spans = self.spans if self.since is None else [*self.spans, (self.since, end)]
        for a, b in spans:
            total += max(0.0, min(b, end) - max(a, start))
        return total

    def say(self, alerts: AlertLog, t: float) -> None:
        """The race radio's lines for a stop begun or over since the last call."""
        for kind, text in self._said:
            alerts.raise_(t, kind, text, "warning" if kind == "race_stopped" else "info")
        self._said = []
