"""Every rider placed at one instant: his distance and his passage-time gap, front to back.

The gap of a rider is now minus when the head of the race passed where he is (DESIGN.md, "Time
gap"), timed on the road of the rider gaps are measured on (`Field.reference`). A rider missing
from the frame keeps his last gap for `hold_missing_s`; a rider behind the head whose point
cannot be timed is left out (unknown, never 0).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from operator import itemgetter
from typing import TYPE_CHECKING

from race.tracking.tracks import Placed, RiderTrack
from race.tracking.trajectory import HOLE_S

if TYPE_CHECKING:
    from race.tracking.field import Field

_KM = itemgetter(1)
_TRACK = itemgetter(3)


def place(field: Field, t: float) -> tuple[list[Placed], list[Placed]]:
    """Every tracked rider, front to back: those who finished, by their time, and those
    on the road.

    A rider missing from the frame keeps his last gap (and is moved along with it) for
    `hold_missing_s` (lost in the final 3 km: until he finishes with it); after that he is no
    longer tracked (`Field.dropped`). Who is held this frame: `Field.held`.
    """
    finished: list[Placed] = []
    road: list[Placed] = []
    hold_from = field.hold_from(t)
    ref = field.reference
    # The hot loop of the engine: the reference's columns are bisected inline.
    if ref is not None and len(ref):
        ts, xs = ref.columns
    else:
        ts, xs = [], []
    n = len(xs)
    head_lost = n > 0 and field.first is not None and field.head_lost(field.first, t)
    first_x = xs[0] if n else 0.0
    last_x = xs[-1] if n else 0.0
    # Riders in the order of the last frame: the lists to sort are then nearly sorted.
    order = field.order if len(field.order) == len(field.riders) else field.riders.values()
    untracked: list[RiderTrack] = []
    dropped: list[RiderTrack] = []
    held_tracks: list[RiderTrack] = []
    winner = field.winner.bib if field.winner is not None else None
    # The feed gives distances in 10 m steps: most of a bunch shares a few of them.
    passage_of: dict[float, float | None] = {}
    stopped = bool(field.stops)
    for track in order:
        if track.finish_t is not None:
            finished.append((track.finish_gap or 0.0, 0.0, track.bib, track))
            continue
        track_t = track.t
        if track_t < hold_from and not track.kept_to_the_line:
            untracked.append(track)
            dropped.append(track)
            continue
        km = track.km
        if track_t == t:
            x = -km
            if km in passage_of:
                passed = passage_of[km]
            elif n and first_x <= x <= last_x and ref is not None:
                j = bisect_right(xs, x) - 1
                x0 = xs[j]
                if x0 == x or j == n - 1:
                    passed = ts[j]
                else:
                    t0 = ts[j]
                    t1 = ts[j + 1]
                    if t1 - t0 <= HOLE_S:
                        passed = t0 + (t1 - t0) * (x - x0) / (xs[j + 1] - x0)
                    else:
                        passed = ref.across_hole(j, x)
                passage_of[km] = passed
            else:
                passed = passage_of[km] = field.passage_time(km)
            if passed is not None:
                if stopped:  # The time the whole race stood since is no gap.
                    passed += field.stops.between(passed, t)
                gap = t - passed if passed < t else 0.0
            elif n and x < last_x:
                # Behind the head with no way to time his point (the head's road before
                # the feed began, nothing to extrapolate at): his gap is unknown, not 0.
                untracked.append(track)
                continue
            else:
                gap = 0.0  # Ahead of where the head has been: he is at the head.
            track.gap = gap
            track.gap_t = t
        elif track.gap is not None:
            # Missing from this frame: he is taken to have kept his gap, and so to be
            # where the head was that long ago.
            held_tracks.append(track)
            gap = track.gap
            passed = t - gap
            if stopped:  # His gap is without the time the race stood since the head passed.
                for _ in range(4):
                    passed = t - gap - field.stops.between(passed, t)
            held = ref.km_at(passed) if ref is not None else None
            if head_lost and passed > ts[-1]:
                # Later than the last fix of the head of the race, which the feed lost too:
                # where the head has gone on since, at its pace (`Field.head`).
                held = field.head.km_at(passed)
            if held is not None:
                km = held
        else:
            untracked.append(track)
            continue
        road.append((gap, km, track.bib, track))
    # Level on time (riders the feed lost, finished with one gap): the winner first.
    finished.sort(key=lambda placed: (placed[0], placed[2] != winner, placed[2]))
    road.sort()
    field.order = [*map(_TRACK, finished), *map(_TRACK, road), *untracked]
    field.dropped = dropped
    field.held = held_tracks
    # Front to back by gap is front to back on the road; a held rider's estimated place
    # (or a gap rounded to the same value) must not put him ahead of the rider before him.
    # Checked in C (a sorted list sorts in one pass); only a road out of order is walked,
    # each rider moved up to the furthest place before him where he is behind it.
    kms = list(map(_KM, road))
    if kms != sorted(kms) or (kms and kms[0] < 0.0):
        fronts = list(accumulate(kms, max, initial=0.0))
        for i, (km, ahead) in enumerate(zip(kms, fronts, strict=False)):
            if km < ahead:
                gap, _, bib, track = road[i]
                road[i] = (gap, ahead, bib, track)
    return finished, road
