"""Each rider's place in the bunch, smoothed over a few frames, and how precise those places are.

In a lead-out the wheels are 1-2 m apart, while a GPS fix is off by a few metres and a sprinting
bunch moves ~100 m between two frames. Absolute positions cannot be averaged (the bunch moves),
but a rider's place *relative to the bunch* can: each frame, every rider's metres behind a
reference that moves with the bunch (the median of its front riders) is averaged over the last
few frames. The noise of one fix is measured from the feed itself (how much those relative
places jump from one frame to the next), so every distance comes with its uncertainty.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import count
from operator import itemgetter
from statistics import median
from typing import NamedTuple

from race.models import Bib

WINDOW_FRAMES = 3
"""A rider's place is the median of his last 3 fixes: one wild fix never moves it, a real move
shows from its second frame, and the noise falls by a third."""
MEDIAN_SIGMA = {1: 1.0, 2: 0.7071, 3: 0.6701}
"""Standard deviation of the median of n normal fixes, in units of one fix's."""
STALE_S = 20.0
"""Fixes older than this are not averaged (a rider missing from frames, a hole in the feed)."""
REFERENCE_RIDERS = 20
"""The reference is the median place of this many riders at the front of the bunch."""
NOISE_RIDERS = 40
"""The noise is measured on the riders at the front: those the lead-out is about."""
NOISE_MIN_SAMPLES = 8
NOISE_FRAMES = 10
"""The noise estimate is the median over this many frames (one odd frame does not move it)."""
NOISE_TRIM = 0.8
"""Share of the smallest frame-to-frame jumps used to measure noise: the largest are real moves."""
NOISE_TRIM_FACTOR = 1.511
"""Standard deviation of a normal variable over that of its central 80 % (1 / 0.6616)."""
DEFAULT_NOISE_M = 5.0
"""Before the feed has shown its noise, assume a cautious 5 m (consumer GPS in a moving bunch)."""
MIN_NOISE_M = 0.5
"""Never claim a place more precisely than this: it is about the size of a bicycle wheel."""
MAX_FRAME_GAP_S = 30.0
"""Two frames further apart than this say nothing about noise (the riders have really moved)."""


class Place(NamedTuple):
    """Where a rider is in the bunch (a named tuple: one is made per rider per frame, twice)."""

    behind_m: float
    """Metres behind the bunch's reference (smaller is further forward), smoothed."""
    sigma_m: float
    """Uncertainty (one standard deviation) of `behind_m`."""
    rank: int
    """Position in the race, counted from the front (1 = first on the road)."""
    km_to_finish: float
    """The rider's latest km to go, as placed this frame."""


_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_PLACE = partial(tuple.__new__, Place)
"""A `Place` from its four values, made in C."""


class BunchFrame:
    """The bunch at one frame: every rider's place, in road order."""

    def __init__(self, t: float, places: dict[Bib, Place], order: list[Bib], noise_m: float):
        self.t = t
        self.places = places
        self.order = order
        """Riders front to back."""
        self.noise_m = noise_m
        """Estimated noise of one fix along the road (one standard deviation, metres)."""
        self.latest: BunchFrame = self
        """The same frame from this frame's fixes alone, unsmoothed: it shows a real move one
        frame before the smoothed places do, with the larger uncertainty of a single fix."""

    def gap_m(self, ahead: Bib, behind: Bib) -> float:
        """Metres from `ahead` to `behind` (negative when `behind` is in front)."""
        return self.places[behind].behind_m - self.places[ahead].behind_m

    def sigma_m(self, a: Bib, b: Bib) -> float:
        """Uncertainty of the distance between two riders."""
        return math.hypot(self.places[a].sigma_m, self.places[b].sigma_m)

    def pair_sigma_m(self) -> float:
        """Uncertainty of the distance between two riders each seen for a whole window."""
        return self.noise_m * MEDIAN_SIGMA[WINDOW_FRAMES] * math.sqrt(2.0)

    def between(self, ahead: Bib, behind: Bib) -> list[Bib]:
        """Riders whose rank is strictly between those of `ahead` and `behind`."""
        first, last = self.places[ahead].rank, self.places[behind].rank
        return self.order[first : last - 1] if last > first + 1 else []


def _frame(
    t: float,
    values: Mapping[Bib, tuple[float, float]],
    positions: Mapping[Bib, float],
    noise: float,
) -> BunchFrame:
    """A frame from (metres behind the reference, uncertainty) per rider."""
    # Twice per rider per frame in the finale: every step is taken in C (a named tuple's own
    # constructor is Python).
    order = list(map(_SECOND, sorted(zip(map(_FIRST, values.values()), values, strict=True))))
    ordered = list(map(values.__getitem__, order))
    columns = zip(
        map(_FIRST, ordered), map(_SECOND, ordered), count(1), map(positions.__getitem__, order)
    )
    places = dict(zip(order, map(_PLACE, columns), strict=True))
    return BunchFrame(t, places, order, noise)


def _small_median(fixes: Collection[tuple[float, float]]) -> float:
    """Median of the places of a few fixes (`statistics.median` costs more than it saves here,
    once per rider per frame)."""
    if len(fixes) == 3:
        (_, a), (_, b), (_, c) = fixes
        if a > b:
            a, b = b, a
        return a if c < a else b if c > b else c
    xs = sorted([x for _, x in fixes])
    n = len(xs)
    half = n // 2
    return xs[half] if n % 2 else (xs[half - 1] + xs[half]) / 2.0


@dataclass(slots=True)
class _Track:
    fixes: deque[tuple[float, float]]
    """(feed time, metres behind the reference) of the last fixes."""
    last_raw: float
    last_t: float


class BunchTracker:
    """Smooths riders' places relative to the bunch and measures the feed's noise."""

    def __init__(self) -> None:
        self._tracks: dict[Bib, _Track] = {}
        self._noise: deque[float] = deque(maxlen=NOISE_FRAMES)
        self._last_t: float | None = None

    @property
    def noise_m(self) -> float:
        return max(median(self._noise), MIN_NOISE_M) if self._noise else DEFAULT_NOISE_M

    def update(
        self, t: float, positions: Mapping[Bib, float], fresh: Collection[Bib]
    ) -> BunchFrame:
        """Take one frame: `positions` are km to go of every rider on the road; `fresh` are the
        riders whose position is a new fix this frame (the others are held from earlier)."""
        metres = {bib: km * 1000.0 for bib, km in positions.items()}
        seen = sorted(metres[b] for b in fresh if b in metres)
        if not seen:
            seen = sorted(metres.values())
        reference = median(seen[:REFERENCE_RIDERS]) if seen else 0.0
        raw = {bib: m - reference for bib, m in metres.items()}
        self._measure_noise(t, raw, fresh)
        noise = self.noise_m
        sigmas = {n: noise * sigma for n, sigma in MEDIAN_SIGMA.items()}
        tracks = self._tracks
        smoothed: dict[Bib, tuple[float, float]] = {}
        latest: dict[Bib, tuple[float, float]] = {}
        # Once per rider per frame in the finale, in one pass: a new fix joins the rider's
        # window (its fixes older than `STALE_S` dropped), and the window's median is his place.
        for bib, behind in raw.items():
            track = tracks.get(bib)
            if bib in fresh:
                if track is None:
                    track = _Track(fixes=deque(maxlen=WINDOW_FRAMES), last_raw=behind, last_t=t)
                    tracks[bib] = track
                fixes = track.fixes
                while fixes and t - fixes[0][0] > STALE_S:
                    fixes.popleft()
                fixes.append((t, behind))
                track.last_raw, track.last_t = behind, t
                smoothed[bib] = (_small_median(fixes), sigmas[len(fixes)])
                latest[bib] = (behind, noise)
                continue
            if track is not None and track.fixes and t - track.fixes[-1][0] <= STALE_S:
                held = (_small_median(track.fixes), sigmas[len(track.fixes)])
            else:
                held = (behind, noise)
            smoothed[bib] = latest[bib] = held
        self._last_t = t
        frame = _frame(t, smoothed, positions, noise)
        frame.latest = _frame(t, latest, positions, noise)
        return frame

    def snapshot(self, t: float, positions: Mapping[Bib, float]) -> BunchFrame:
        """A frame of these positions as they are, remembering nothing: an overview (ranks and
        rough distances) where nothing needs smoothing, at a fraction of `update`'s cost."""
        noise = self.noise_m
        return _frame(t, {b: (km * 1000.0, noise) for b, km in positions.items()}, positions, noise)

    def _measure_noise(self, t: float, raw: Mapping[Bib, float], fresh: Collection[Bib]) -> None:
        """One frame's estimate of the noise of a fix, from the jumps of the front riders'
        relative places since the previous frame (jump = noise of two fixes + real moves)."""
        last_t = self._last_t
        if last_t is None or t <= last_t or t - last_t > MAX_FRAME_GAP_S:
            return
        front = sorted((b for b in fresh if b in raw), key=raw.__getitem__)[:NOISE_RIDERS]
        signed = [
            raw[b] - track.last_raw
            for b in front
            if (track := self._tracks.get(b)) is not None and track.last_t == last_t
        ]
        if len(signed) < NOISE_MIN_SAMPLES:
            return
        # The reference itself moves a little from frame to frame: that is common to everyone.
        common = median(signed)
        jumps = sorted(abs(j - common) for j in signed)
        kept = jumps[: max(1, round(len(jumps) * NOISE_TRIM))]
        rms = math.sqrt(sum(j * j for j in kept) / len(kept))
        self._noise.append(rms * NOISE_TRIM_FACTOR / math.sqrt(2.0))
