"""Riders placed on the route from their GPS fix when the feed gives no km to go.

For part of 2025 the Race Center sent positions and speeds but no `kmToFinish`: every rider's
km to go is then the projection of his fix onto the route (the stage's profile points with
their latitude and longitude). `GpsPlacer.place` fills the missing km to go of each frame once,
before anything reads the fixes, so the rest of the engine sees them as if the feed had sent
them. A km to go the feed gives is kept: it is the official one; in steps too coarse for the
gaps (100 m or more, `race.tracking.grain`), the rider is placed within his step from his fix.
One no stage can have (NaN, infinite, 1e308) is as good as none: the rider is placed from his
fix.

A route can pass the same place twice (a circuit, an out-and-back, a finish on laps), so a fix
may lie on several passages of it. A rider is kept where his previous place and his speed put
him, and never moved further than he could have ridden since; a rider without a recent place
goes on the passage nearest the rest of the field. A fix farther than `ON_ROUTE_KM` from the
route is off it: its km to go stays unknown (a start village 200 km away, a team bus).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from statistics import median

from pydantic import TypeAdapter

from race.alerts import AlertLog
from race.models import Bib, RiderFix, Stage, Telemetry
from race.situation import Placing
from race.tracking.geometry import KM_PER_DEGREE, RouteLine
from race.tracking.grain import OFF_SHARE, Grain, within_steps
from race.tracking.offsets import KmCheck
from race.tracking.routegrid import FIX_SIGMA_KM, RouteGrid, likeliest_on
from race.tracking.tracks import DEFAULT_KMH, JUMP_CHECK_S, KM_MAX, MAX_KMH, REPORTED_KMH_MAX
from race.wording import counted

BACK_KM = 0.5
"""A rider placed this far behind his previous place is still that rider (GPS noise, a rider
turning back to his team car); further back is another passage of the route."""
REACH_SLACK_KM = 0.2
"""Added to the furthest a rider can ride between two fixes (`MAX_KMH`): GPS noise on both."""
MOVE_SIGMA_KM = 0.03
SPEED_SIGMA_KMH = 10.0
"""How far a rider may be from where his last place and his speed put him (one standard
deviation): this much, plus his speed off by `SPEED_SIGMA_KMH` over the time since. Where
the route comes back on itself (an out-and-back's turn, a hairpin) his fix lies near two
stretches of road; his motion tells them apart."""

_FIXES = TypeAdapter(list[RiderFix])
_BIB = attrgetter("bib")
_KM = attrgetter("km_to_finish")


@dataclass(frozen=True, slots=True)
class _Unrecorded:
    """A frame whose every rider had the feed's km to go, not yet copied into the riders'
    last places: a frame without km to go is what needs them, and most stages have none."""

    t: float
    distance_km: float
    riders: Sequence[RiderFix]
    bibs: frozenset[Bib]


def _from_feed(riders: Sequence[RiderFix]) -> list[float] | None:
    """Every fix's km to go, when every one is usable (not missing, NaN, infinite nor absurd),
    checked in C: the sum of finite values is finite (an overflow only sends the frame the slow
    way); None otherwise."""
    kms = list(map(_KM, riders))
    if None in kms:
        return None
    if math.isfinite(sum(kms)) and min(kms) >= -KM_MAX and max(kms) <= KM_MAX:
        return kms
    return None


def _with_places(frame: Telemetry, placed: dict[int, float], distance_km: float) -> Telemetry:
    """`frame` with the riders at indices `placed` at those km from the start."""
    if not placed:
        return frame
    riders = frame.riders
    fixes = list(riders)
    # Validated in one call: a third cheaper than a `model_copy` per fix, which took half the
    # time of placing a frame.
    indices = list(placed)
    for index, fix in zip(
        indices,
        _FIXES.validate_python(
            [
                {**riders[i].__dict__, "km_to_finish": round(distance_km - placed[i], 3)}
                for i in indices
            ]
        ),
        strict=True,
    ):
        fixes[index] = fix
    return frame.model_copy(update={"riders": tuple(fixes)})


class GpsPlacer:
    """Fills in the km to go the feed left out, from the riders' fixes on the route."""

    def __init__(self) -> None:
        self.source: Placing | None = None
        """Where the last frame's km to go came from (None before the first frame)."""
        self.detail = ""
        """Why, in the user's words (e.g. "positions only: no route")."""
        self.unplaced = False
        """The last frame placed no rider at all: `detail` says why."""
        self.replaced_km = 0
        """Km to go in the last frame that no stage can have (NaN, infinite, 1e308), replaced
        by the rider's place from his fix (the engine counts them as dropped values; those it
        could not place, it drops itself)."""
        self._stage: Stage | None = None
        self._route: RouteLine | None = None
        self._grid: RouteGrid | None = None
        self._last_t: dict[Bib, float] = {}
        self._last_km: dict[Bib, float] = {}
        """Each rider's last place in km from the start (the feed's, or placed here)."""
        self._consensus: tuple[float, float] | None = None
        """(time, km from the start) of the field's median place at the last frame placed."""
        self._unrecorded: _Unrecorded | None = None
        """The last frame read the fast way, whose places `_last_t`/`_last_km` lack."""
        self.grain = Grain()
        """How finely the feed gives km to go (read from every frame before it is placed)."""
        self.offsets = KmCheck()
        """Riders whose km to go is not where their fixes are (checked in turn)."""

    def place(self, frame: Telemetry, stage: Stage | None) -> Telemetry:
        """The frame with every missing km to go filled in from the rider's fix, where it
        lies on the route (see the module's docstring)."""
        route = self._route_of(stage)
        t = frame.t
        riders = frame.riders
        self.replaced_km = 0
        grain = self.grain
        grain.see(riders)
        grain.placed_within = False
        fed = _from_feed(riders) if riders else None
        if route is not None and fed is not None:
            # The usual frame: nothing to place but riders whose km to go is not theirs. Its
            # places are kept for a frame that needs them, and written only for the riders the
            # next such frame lacks.
            places = self.offsets.check(t, riders, fed, route, grain.km or grain.frame_on_km)
            step = grain.km or grain.frame_km
            if step is not None:  # Too coarse for the gaps: the fixes say where within.
                places = within_steps(riders, route, step) | places
                grain.placed_within = len(riders) - len(places) <= len(riders) * OFF_SHARE
            frame = _with_places(frame, places, route.distance_km)
            riders = frame.riders
            self._defer(_Unrecorded(t, route.distance_km, riders, frozenset(map(_BIB, riders))))
            self._summarise(len(riders), len(riders), 0, 0)
            return frame
        self._record_unrecorded()
        last_t, last_km = self._last_t, self._last_km
        from_feed = located = 0
        placed: dict[int, float] = {}
        """Km from the start of the fixes placed here, by index in the frame."""
        undecided: list[tuple[int, Bib, list[float]]] = []
        distance, kx, kms, segments = 0.0, 0.0, [], []
        if route is not None:
            distance, kx, kms, segments = route.distance_km, route.kx, route.kms, route.segments
        last_segment = len(kms) - 1
        for index, fix in enumerate(riders):
            # The hot loop when the feed gives no km to go (every rider of every frame).
            bib = fix.bib
            km = fix.km_to_finish
            if km is not None and -KM_MAX <= km <= KM_MAX:  # Not NaN, infinite nor absurd.
                from_feed += 1
                if route is not None:
                    last_t[bib], last_km[bib] = t, distance - km
                continue
            # No usable km to go (none, or one no stage has: NaN, 1e308): his fix says it.
            lat, lon = fix.lat, fix.lon
            if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                continue
            located += 1
            if route is None:
                continue
            x, y = lon * kx, lat * KM_PER_DEGREE
            previous_t = last_t.get(bib)
            if previous_t is not None and 0.0 <= t - previous_t <= JUMP_CHECK_S:
                # Where his last place and speed put him: the usual case, a few segments read.
                previous = last_km[bib]
                speed = fix.speed_kmh
                if speed is None or not 0.0 <= speed <= REPORTED_KMH_MAX:
                    speed = DEFAULT_KMH
                dt = t - previous_t
                expected = previous + speed * dt / 3600.0
                sigma = MOVE_SIGMA_KM + SPEED_SIGMA_KMH * dt / 3600.0
                low, high = expected - 3.0 * sigma, expected + 3.0 * sigma
                score, km = likeliest_on(
                    x,
                    y,
                    segments,
                    max(0, bisect_left(kms, low) - 1),
                    min(last_segment, bisect_right(kms, high)),
                    expected,
                    sigma,
                )
                if score < math.inf and low < km < high:
                    placed[index] = km
                    continue
                km = self._reachable(x, y, previous, expected, dt, sigma)
                if km is not None:
                    placed[index] = km
                continue  # Nowhere he could have ridden to: not placed in this frame.
            assert self._grid is not None
            passages = self._grid.passages(x, y)
            if len(passages) == 1:
                placed[index] = passages[0]
            elif passages:
                undecided.append((index, bib, passages))
        if undecided:
            self._decide(undecided, placed, t, stage)
        for index, km_from_start in placed.items():
            bib = riders[index].bib
            last_t[bib], last_km[bib] = t, km_from_start
        if placed:
            self._consensus = (t, median(placed.values()))
        self._summarise(len(riders), from_feed, located, len(placed))
        if not placed:
            return frame
        self.replaced_km = sum(riders[i].km_to_finish is not None for i in placed)
        return _with_places(frame, placed, distance)

    def say(self, alerts: AlertLog, t: float, name: Callable[[Bib], str]) -> None:
        """On the race radio, what the fixes said of the feed's km to go since the last call."""
        self.grain.say(alerts, t)
        self.offsets.say(alerts, t, name)

    def _defer(self, frame: _Unrecorded) -> None:
        """Keep `frame`'s places unwritten: the last such frame's are written now only for its
        riders `frame` lacks (the others' are `frame`'s own)."""
        previous = self._unrecorded
        if previous is not None and not previous.bibs <= frame.bibs:
            self._record(previous, previous.bibs - frame.bibs)
        self._unrecorded = frame

    def _record_unrecorded(self) -> None:
        """Write the places of the frame kept unwritten, before anything reads them."""
        if self._unrecorded is not None:
            self._record(self._unrecorded, self._unrecorded.bibs)
            self._unrecorded = None

    def _record(self, frame: _Unrecorded, bibs: frozenset[Bib]) -> None:
        t, distance = frame.t, frame.distance_km
        for fix in frame.riders:
            km = fix.km_to_finish
            if fix.bib in bibs and km is not None:
                self._last_t[fix.bib], self._last_km[fix.bib] = t, distance - km

    def _reachable(
        self, x: float, y: float, previous: float, expected: float, dt: float, sigma: float
    ) -> float | None:
        """Where on the route through (x, y) the rider most likely is (`likeliest_on`) among
        the places he could have ridden to since his place `previous`, `dt` seconds ago;
        None when there is none."""
        assert self._grid is not None
        reach = previous + MAX_KMH * dt / 3600.0 + REACH_SLACK_KM
        best, best_km = math.inf, None
        for _, d2, km in self._grid.near(x, y):
            score = d2 / FIX_SIGMA_KM**2 + ((km - expected) / sigma) ** 2
            if previous - BACK_KM <= km <= reach and score < best:
                best, best_km = score, km
        return best_km

    def _decide(
        self,
        undecided: Sequence[tuple[int, Bib, list[float]]],
        placed: dict[int, float],
        t: float,
        stage: Stage | None,
    ) -> None:
        """Riders on a place the route passes more than once, with nothing recent to tell
        which passage: on the one nearest his own last place ridden on, else the field's
        place now, else the field's last place ridden on, else where the schedule puts the
        race; with none of those, the first passage."""
        field_now = median(placed.values()) if placed else None
        for index, bib, passages in undecided:
            prior: float | None = field_now
            if bib in self._last_t:
                prior = self._ridden(self._last_t[bib], self._last_km[bib], t)
            elif prior is None and self._consensus is not None:
                prior = self._ridden(*self._consensus, t)
            elif prior is None and stage is not None and stage.scheduled_start is not None:
                prior = self._ridden(stage.scheduled_start, 0.0, t)
            target = prior
            placed[index] = (
                passages[0] if target is None else min(passages, key=lambda km: abs(km - target))
            )

    @staticmethod
    def _ridden(since_t: float, km_from_start: float, t: float) -> float:
        """Where a rider at `km_from_start` at `since_t` is at `t`, at a typical speed."""
        return km_from_start + DEFAULT_KMH * max(0.0, t - since_t) / 3600.0

    def _summarise(self, riders: int, from_feed: int, located: int, placed: int) -> None:
        """Where this frame's km to go came from, and why none when none."""
        if not riders:
            return  # An empty frame says nothing new.
        self.unplaced = not from_feed and not placed
        if placed:
            off = located - placed
            self.source = "gps"
            self.detail = f"{counted(placed, 'rider')} placed from GPS" + (
                f", {off} off the route" if off else ""
            )
        elif from_feed:
            self.source, self.detail = "feed", self.grain.said()
        elif not located:
            self.source, self.detail = "none", "no distances or positions in the feed"
        elif self._route is None:
            self.source, self.detail = "none", "positions only: no route"
        else:
            self.source, self.detail = "gps", "riders off the route"

    def _route_of(self, stage: Stage | None) -> RouteLine | None:
        """The stage's route (None without one, or without positions on it), rebuilt when
        the stage changes (a start list sent again with its route)."""
        if stage is not self._stage:
            self._stage = stage
            route = RouteLine(stage.profile, stage.distance_km) if stage is not None else None
            usable = route is not None and route.usable
            self._route = route if usable else None
            self._grid = RouteGrid(route) if route is not None and usable else None
        return self._route
