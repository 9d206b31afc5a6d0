"""The head of the race: the first plausible rider on the road, the head's own trajectory, and
the rider whose road the gaps are measured on (`race.tracking.field.Field` applies the frames).

The gap reference is the head of the race's own trajectory: the current first rider on the
road until the winner finishes, then the winner's trajectory, ending on the line at his finish
time, so that gaps after the finish stay referenced to the winner.
"""

from __future__ import annotations

import math
from bisect import bisect_left

from race.tracking.finish import KEEP_REFERENCE_KM, FinishLine
from race.tracking.jumps import NEAR_OTHERS_KM, riding_kmh
from race.tracking.tracks import DEFAULT_KMH, FINISH_KM, MAX_KMH, RiderTrack
from race.tracking.trajectory import Trajectory

REFERENCE_LOOKBACK_KM = 2.0
"""Who was at the head first: the rider at the head who passed this far back the earliest."""
REFERENCE_FALLBACK_KM = 1.0
"""Points this far behind the start of the head's own trajectory (he was not tracked there)
are timed on the composite head track instead of being extrapolated."""


class HeadOfRace(FinishLine):
    """Who leads the race on the road, and when the head passed each point."""

    def _choose_leader(self, fresh: list[RiderTrack]) -> RiderTrack | None:
        """The first plausible rider on the road: trusted (not suspect) and either seen in two
        frames or riding with others (a bib seen once, alone at the front, may be a ghost;
        in the first frame there is nothing to judge him by)."""
        best: RiderTrack | None = None
        for track in fresh:
            if track.suspect_since is None and (best is None or track.km < best.km):
                best = track
        if best is not None and (self.first is None or len(best.path) >= 2):
            return best  # The usual case, without sorting the field.
        candidates = sorted(
            (track for track in fresh if track.suspect_since is None), key=lambda r: r.km
        )
        for i, track in enumerate(candidates):
            if len(track.path) >= 2 or (
                i + 1 < len(candidates) and candidates[i + 1].km - track.km <= NEAR_OTHERS_KM
            ):
                return track
        if self.first is not None and self.first.finish_t is None:
            return self.first  # Nobody trustworthy in this frame: keep the last head.
        return None

    def _follow_head(self, first: RiderTrack, fresh: list[RiderTrack], t: float) -> None:
        """The head of the race moves on with the first rider; it goes back only when the feed
        withdrew where the head had been (the first rider, or the one before him, was moved
        back or set aside), never because the first rider is missing from a frame.

        Gaps are measured on the road of one rider at the head (`leader`): the same rider
        while he stays at the head, even a few metres behind the first; when he is gone, the
        rider at the head who was there first. A rider who has just bridged across, now first
        by a wheel, passed every point behind later than the head did: measured on his road,
        every gap would drop at once by what the head had on him.
        """
        previous = self.first
        withdrawn = (
            first.rewound_t == t
            or (previous is not None and previous is not first and previous.rewound_t == t)
            or self.head_withdrawn
        )
        self.head_withdrawn = False
        reference = self.leader
        if self.head_lost(first, t):
            # The rider gaps are measured on is missing from this frame, ahead of the first
            # rider seen: the head is where his pace has taken him, not stopped where he was
            # (unless the whole race stands).
            assert reference is not None
            pace = riding_kmh(reference) if self.stops.since is None else 0.0
            head_km = reference.km - pace * (t - reference.t) / 3600.0
            head_km = max(min(head_km, first.km), FINISH_KM)
        else:
            head_km = first.km
        if withdrawn:
            self.head.rewind(t, head_km)
        else:
            if previous is not first:
                self._trust_back(first, t, head_km)
            self.head.add(t, head_km)
        self.first = first
        if reference is None:
            self.leader = first
        elif reference is not first and not (
            self._at_head(reference, first, t) or self._held(reference, t)
        ):
            at_head = [r for r in fresh if self._at_head(r, first, t)] or [first]
            back = first.km + REFERENCE_LOOKBACK_KM
            self.leader = min(at_head, key=lambda r: _passed(r, back, first.km))

    def _trust_back(self, first: RiderTrack, t: float, head_km: float) -> None:
        """A new first rider: where the head's last points were not where the head really was,
        they give way to his road.

        - Seen in the frames before but not believed (once, alone at the front, he could have
          been a ghost), he was ahead of the head: the head was where he was. His earlier
          fixes replace the head's points, back to the first one his own road leaps from (a
          jump of his own fix, not a head the frames got wrong).
        - Before that, the head's points from which his road cannot be reached at a riding
          speed (`MAX_KMH`), in frames he was missing from, were taken from frames that lacked
          the riders at the head (a partial frame): they are dropped.
        """
        times, xs = first.path.columns
        head_times, head_xs = self.head.columns
        earliest = len(times) - 1  # His fix now.
        for i in range(len(times) - 2, -1, -1):
            if (xs[i + 1] - xs[i]) * 3600.0 > MAX_KMH * (times[i + 1] - times[i]):
                break  # His own fix leapt here: what came before is not the head's road.
            j = bisect_left(head_times, times[i])
            if j >= len(head_times) or head_times[j] != times[i] or head_xs[j] >= xs[i]:
                break
            earliest = i
        if earliest < len(times) - 1:
            since_t, since_x = times[earliest], xs[earliest]
        else:
            since_t, since_x = t, -head_km
        keep = bisect_left(head_times, since_t)
        while keep and not _has_time(times, head_times[keep - 1]):
            dt = since_t - head_times[keep - 1]
            if (since_x - head_xs[keep - 1]) * 3600.0 <= MAX_KMH * dt:
                break
            keep -= 1
        if keep == len(head_times):
            return
        self.head.cut_at(head_times[keep])
        for i in range(earliest, len(times)):
            if times[i] < t:
                self.head.add(times[i], -xs[i])

    @staticmethod
    def _at_head(track: RiderTrack, first: RiderTrack, t: float) -> bool:
        return (
            track.t == t
            and track.suspect_since is None
            and track.finish_t is None
            and track.km - first.km <= KEEP_REFERENCE_KM
        )

    # --- Gaps --------------------------------------------------------------------------------

    @property
    def reference(self) -> Trajectory | None:
        """The trajectory gaps are measured on."""
        return self.leader.path if self.leader is not None else None

    def passage_time(self, km: float) -> float | None:
        """When the head of the race passed `km` to go (on the reference trajectory)."""
        ref = self.reference
        head = self.head
        if ref is None or not len(ref):
            return head.passage_time(km)
        first_km = ref.first_km
        if first_km is not None and km > first_km + REFERENCE_FALLBACK_KM and len(head) > 1:
            return head.passage_time(km)
        leader = self.leader
        speed = leader.speed if leader is not None else None
        passed = ref.passage_time(km, fallback_kmh=speed if speed and speed > 1 else DEFAULT_KMH)
        t, first = self.t, self.first
        if (
            passed is None
            and leader is not None
            and first is not None
            and t is not None
            and self.head_lost(first, t)
        ):
            # Beyond the last fix of a head the feed has lost: when the head of the race, gone
            # on at his pace (`_follow_head`), passed there; not a rider there at +0:00.
            passed = head.passage_time(km)
        return passed


def _passed(track: RiderTrack, km: float, first_km: float) -> tuple[float, float]:
    """When the rider passed `km` (his road not reaching back there: never, as far as he
    knows), then how far he is from the first rider: the order of who was at the head first."""
    passed = track.path.passage_time(km) if (track.path.first_km or 0.0) >= km else None
    return (passed if passed is not None else math.inf, track.km - first_km)


def _has_time(times: list[float], t: float) -> bool:
    """Whether a rider's road (its times, in order) has a fix at `t`."""
    i = bisect_left(times, t)
    return i < len(times) and times[i] == t
