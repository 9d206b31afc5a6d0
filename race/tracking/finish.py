"""The finish: who crossed the line first and when, and when every other rider did.

The feed often stops tracking riders 10-30 m before the line, or reports them only once they
are past it, so the winner's time is extrapolated from his last fixes, and a rider lost in the
final 3 km (the whole head of the race, at times) finishes with the gap he had. When the feed
lost riders who may have beaten the first rider at the line (ahead of him, level or close
behind), the winner is a guess and says why. `Field`
(`race.tracking.field`) takes these rules as a base class: they read and set its riders, its
head and its winner.
"""

from __future__ import annotations

from race.models import Bib
from race.tracking.stops import Stops
from race.tracking.tracks import (
    DEFAULT_KMH,
    FINISH_KM,
    LAST_KM_RULE_KM,
    LOST_NEAR_LINE_KM,
    MAX_KMH,
    RiderTrack,
    Winner,
)
from race.tracking.trajectory import Trajectory
from race.wording import counted

PHOTO_FINISH_KM = 0.01
"""Riders this close to the first at his last fix (the feed's 10 m step) may have beaten him:
the data cannot tell, and the winner is shown as a guess."""


PHOTO_FINISH = "a photo finish: the positions cannot tell"
LAST_METRES_KM = 0.1
"""Where the feed usually stops tracking riders (10-30 m out on the Pau stage): a winner lost
further out is said to be lost himself."""
OVERTAKE_SHARE = 0.1
"""A rider lost this share of the road left behind the first may have come past him before
the line (a finish 10 % faster: 50 m in the last 500 m); within the feed's step
(`PHOTO_FINISH_KM`) at least."""
LOST_RECENTLY_S = 300.0
"""Riders the feed lost this long before the first rider seen on the line may have crossed it
before him (the last 4-5 km at racing speed): if they were within reach of him, he is a
guess."""
KEEP_REFERENCE_KM = 0.05
"""The rider whose road gaps are measured on stays the reference while he rides this close
behind the first rider (in the same group: 3-4 s at racing speed)."""


class FinishLine:
    """The finish rules of a field of riders."""

    riders: dict[Bib, RiderTrack]
    hold_missing_s: float
    """How long a rider missing from the frames is held where his gap puts him."""
    head: Trajectory
    t: float | None
    """The last frame's time."""
    shown_t: float | None
    """The last frame that carried any rider's usable fix."""
    first: RiderTrack | None
    leader: RiderTrack | None
    head_withdrawn: bool
    """The head of the race was a rider the organiser has just withdrawn: its road goes back."""
    stops: Stops
    """When the whole race stood."""
    winner: Winner | None

    def _held(self, track: RiderTrack, t: float) -> bool:
        """Missing from this frame, or his fix set aside (a ghost: he is where his last
        trusted fix and speed put him), for no longer than `hold_missing_s` before the last
        frame with riders (lost in the final 3 km: until he finishes); not finished."""
        if track.finish_t is not None:
            return False
        if track.suspect_since is not None:
            return t - track.suspect_since <= self.hold_missing_s
        return track.t < t and (track.t >= self.hold_from(t) or track.kept_to_the_line)

    def hold_from(self, t: float) -> float:
        """A rider missing since before this is no longer held (lost in the final 3 km aside):
        `hold_missing_s` before the last frame that carried a rider (at `t`, the frame)."""
        shown_t = self.shown_t if self.shown_t is not None else t
        return shown_t - self.hold_missing_s

    def _line_out_of_reach(self, t: float) -> bool:
        """Before the winner: the first rider on the road was too far from the line at his last
        fix to have reached it since, at any speed."""
        first = self.first
        if self.winner is not None or first is None:
            return False
        return first.km - MAX_KMH * max(0.0, t - first.t) / 3600.0 > LOST_NEAR_LINE_KM

    def _at_the_front(self) -> RiderTrack | None:
        """Who leads the race to the line: the first rider on the road at the last frame, or
        the rider gaps are measured on when he was ahead of him (missing from the feed)."""
        first, reference = self.first, self.leader
        if first is None or reference is None or reference.finish_t is not None:
            return first
        if reference.km < first.km or (self.t is not None and self.head_lost(first, self.t)):
            return reference
        return first

    def head_lost(self, first: RiderTrack, t: float) -> bool:
        """Whether the rider gaps are measured on is missing (held) ahead of `first`, the
        first rider seen: `first` has not reached his last fix yet; or, lost in the final
        3 km, he had more than `KEEP_REFERENCE_KM` on `first` then (the 3 km rule: he keeps
        his gap, and riders reaching where he was are behind him). Lost further out, riders
        reaching where he was are the head: he may have stopped."""
        reference = self.leader
        if reference is None or reference is first or not self._held(reference, t):
            return False
        if first.km - reference.km > KEEP_REFERENCE_KM:
            return True
        if not reference.kept_to_the_line:
            return False
        then = first.path.km_at(reference.t)
        return then is not None and then - reference.km > KEEP_REFERENCE_KM

    def _leader_lost_at_line(self, t: float) -> bool:
        """The head was last seen just before the line and should have crossed it by now."""
        leader = self._at_the_front()
        if leader is None or leader.t >= t or leader.km > LAST_KM_RULE_KM:
            return False
        arrival = leader.path.time_to_reach(0.0)
        return arrival is not None and arrival <= t

    def _finish_winner(self, t: float, at_line: list[RiderTrack]) -> list[RiderTrack]:
        """The first rider across the line: the head of the race at its last fix before it.

        His time is his trajectory extrapolated to the line at his recent speed (never after
        the frame that shows riders on the line), because the feed often stops tracking
        riders 10-30 m before it or reports them only once they are past it. From then on the
        gaps are measured on his road.
        """
        leader = self._at_the_front()
        if leader is None or leader.path.last_t is None:
            if not at_line:
                return []
            first = at_line[0]
            self._finish(first, t)
            self.winner = Winner(first.bib, t, "first seen on the line")
            self.first = self.leader = first
            return [first]
        arrival = _arrival_at_line(leader, t, leader.path.last_t)
        within = self._lost_within_reach(leader, t)
        for track in within:
            # Riders lost by the feed in the final 3 km within reach of him: the first across
            # the line is the first of them projected at his pace (a guess, as any is then).
            lost_t = track.path.last_t
            if track.km > LAST_KM_RULE_KM or lost_t is None:
                continue
            if (projected := _arrival_at_line(track, t, lost_t)) < arrival:
                leader, arrival = track, projected
        last_t, last_km = leader.path.last_t, leader.path.last_km or 0.0
        leader.path.add(arrival, 0.0)
        self.head.add(arrival, 0.0)
        self._finish(leader, arrival)
        basis = (
            f"extrapolated {last_km * 1000:.0f} m from his last fix"
            if last_km > FINISH_KM
            else "on the line"
        )
        level = [
            track
            for track in self.riders.values()
            if track is not leader
            and track.finish_t is None
            and track.path.last_t == last_t
            and (track.path.last_km or 0.0) <= last_km + PHOTO_FINISH_KM
        ]
        doubt = ""
        if level:
            basis += f"; {len(level)} more within {PHOTO_FINISH_KM * 1000:.0f} m: a photo finish"
            doubt = PHOTO_FINISH
        if within:
            others = [track for track in within if track is not leader]
            if leader in within or last_km > LAST_METRES_KM:
                # Lost himself: his place at the line is a projection as theirs is.
                doubt = "the feed lost him"
                doubt += f" and {counted(len(others), 'other')}" if others else ""
            else:
                doubt = f"the feed lost {counted(len(others), 'rider')} within reach of him"
            doubt += " before the line"
            basis += f"; {doubt}"
        self.winner = Winner(leader.bib, arrival, basis, doubt)
        self.leader = leader
        return [leader]

    def _lost_within_reach(self, leader: RiderTrack, t: float) -> list[RiderTrack]:
        """The riders missing from the feed (lost within `LOST_RECENTLY_S`, or held; not
        finished) who, at their last fix, were ahead of `leader`, level with him (within the
        feed's step) or close enough behind to have come past him (`OVERTAKE_SHARE` of the road
        left): any of them may have crossed the line first."""
        within: list[RiderTrack] = []
        for track in self.riders.values():
            if track is leader or track.finish_t is not None:
                continue
            if not (t - LOST_RECENTLY_S <= track.t < t or self._held(track, t)):
                continue
            # He reached the point `reach` ahead of the rider only after the rider's fix.
            reach = max(PHOTO_FINISH_KM, OVERTAKE_SHARE * track.km)
            reached = leader.path.time_to_reach(track.km - reach)
            if reached is not None and reached > track.t:
                within.append(track)
        return within

    def _arrival(self, track: RiderTrack, t: float, winner_t: float) -> float:
        """When a rider seen on the line at `t` crossed it: he kept the gap of his last fix."""
        if track.gap is None or track.gap_t is None:
            return max(t, winner_t)
        return max(winner_t, track.gap_t, min(t, winner_t + track.gap))

    def _finish_lost(self, t: float, winner_t: float) -> list[RiderTrack]:
        """Riders the feed lost in the final 3 km have crossed the line once their gap has run
        out (`LAST_KM_RULE_KM`)."""
        out: list[RiderTrack] = []
        for track in self.riders.values():
            if (
                track.finish_t is None
                and track.t < t
                and track.kept_to_the_line
                and track.gap is not None
                and track.gap_t is not None
                and winner_t + track.gap <= t
            ):
                self._finish(track, max(winner_t + track.gap, track.gap_t))
                out.append(track)
        return out

    def _finish(self, track: RiderTrack, at: float) -> None:
        track.finish_t = at
        winner_t = self.winner.t if self.winner is not None else at
        track.finish_gap = max(0.0, at - winner_t)
        track.km = 0.0


def _arrival_at_line(track: RiderTrack, t: float, last_t: float) -> float:
    """When `track` (last fixed at `last_t`) reaches the line at his recent speed (never after
    `t`, the frame that shows riders on it, nor before his last fix)."""
    arrival = track.path.time_to_reach(0.0)
    if arrival is None:
        arrival = last_t + (track.path.last_km or 0.0) / DEFAULT_KMH * 3600.0
    return max(last_t, min(arrival, t))
