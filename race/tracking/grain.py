"""The feed's distance step: how finely it reports a rider's km to go.

The Race Center sends km to go in 10 m steps, well under the road a bunch covers in the 3 s
that split two groups (DESIGN.md, "Groups"). A feed that rounds them to 100 m (or coarser)
puts the riders of one bunch on two or three values 7 s apart at 50 km/h, and every step
would read as a split. With the route and the riders' GPS fixes, each rider is placed within
his step where his fix lies on the route (`within_steps`, as `race.tracking.gps` places a
rider without a km to go). Without them, two riders one step apart may be side by side or two
steps apart: only riders at least two steps apart are known to be apart
(`race.gaps.groups.split_by_gap`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from race.alerts import AlertLog
from race.models import RiderFix
from race.tracking.geometry import ON_ROUTE_KM, RouteLine
from race.tracking.tracks import KM_MAX

STEPS_KM = (1.0, 0.5, 0.2, 0.1, 0.05)
"""The steps looked for, coarsest first: all coarser than the Race Center's 10 m."""
FINE_KM = 0.01
"""The Race Center's step: a value of a feed this fine is on a coarser step `FINE_KM / step` of
the time."""
BY_CHANCE = 1e-8
"""How rarely a fine feed's values may all fall on a step by chance before it is taken for the
feed's."""
MIN_VALUES = {
    step: math.ceil(math.log(BY_CHANCE) / math.log(FINE_KM / step) - 1e-9) for step in STEPS_KM
}
"""A step is the feed's once this many different km to go have been on it, in frames all on
it: 4 on 1 km, 8 on 100 m, 12 on 50 m (fewer for a coarser step: fewer values fall on it; the
1e-9 keeps 4.000000000000001, a float's, from asking a fifth)."""
FRAME_BY_CHANCE = 1e-4
"""How rarely a fine feed's frame may fall on a step by chance before its riders are placed
within that step from GPS (`Grain.frame_km`): wrong, it moves a frame's riders by the tens of
metres the route's trace and the feed disagree; right, it keeps the first frames of a feed
turning coarse, before its step is known, from putting a rider up to a step back."""
FRAME_VALUES = {
    step: math.ceil(math.log(FRAME_BY_CHANCE) / math.log(FINE_KM / step) - 1e-9)
    for step in STEPS_KM
}
"""A frame is on a step once this many of its different km to go are: 2 on 1 km, 4 on 100 m."""
OFF_SHARE = 0.05
"""Values off the step a frame may carry (a share of its different km to go) and still be on
it (a value the feed computed otherwise, a second source for a rider or two)."""
SLACK_KM = 0.1
"""Searched beyond a step: the route's trace and the feed's km to go disagree by some tens of
metres (up to 50 m on the Pau stage, the trace cutting the road's curves)."""
ON_STEP = 1e-6
"""How close to a multiple of the step (in steps) a km must be to be on it (the decimal
fractions a float cannot hold exactly)."""


class Grain:
    """The coarsest step every frame's km to go have been on, over its last `MIN_VALUES`
    different values (a compact field gives a few values a frame: the evidence adds up)."""

    def __init__(self) -> None:
        self.km: float | None = None
        """The step (km), or None: the feed's km are finer than every step looked for."""
        self._on: dict[float, set[float]] = {step: set() for step in STEPS_KM}
        """For each step, the different km to go on it since a frame was off it."""
        self.frame_on_km: float | None = None
        """The coarsest step the last frame's km to go were on (all but `OFF_SHARE`), however
        few: as far as they may have been rounded or cut, known or not."""
        self.frame_km: float | None = None
        """`frame_on_km` when `FRAME_VALUES` of them were on it: where the fixes place riders
        within it."""
        self.placed_within = False
        """The last frame's riders were placed within their steps from GPS (`within_steps`),
        all but `OFF_SHARE` of them (a rider or two without a fix)."""
        self._said = ""

    @property
    def coarse_km(self) -> float | None:
        """The step of the km to go the engine reads, None when they are fine (the feed's,
        or placed within the feed's steps)."""
        return None if self.placed_within else self.km

    def said(self) -> str:
        """The step in the user's words ("" when the feed's km are fine)."""
        if self.km is None:
            return ""
        step = f"km to go in {self.km * 1000:.0f} m steps"
        if self.placed_within:
            return f"{step}, placed within them from GPS"
        return f"{step}: riders less than {2 * self.km * 1000:.0f} m apart not told apart"

    def say(self, alerts: AlertLog, t: float) -> None:
        """On the race radio, once, how the feed's steps are read (when they are coarse)."""
        said = self.said()
        if said and said != self._said:
            alerts.raise_once(t, "feed_km_steps", f"Feed: {said}", key=f"feed_km_steps {said}")
        self._said = said

    def see(self, riders: Sequence[RiderFix]) -> None:
        """Read a frame's km to go: a frame is on a step when all but `OFF_SHARE` of its
        different km to go on the road are; a frame off it starts its count again."""
        finest = STEPS_KM[-1]  # Every step is a multiple of it: a value off it is off them all.
        allowed = int(len(riders) * OFF_SHARE)  # At most this many (the values <= the riders).
        values: set[float] = set()
        off = 0
        for fix in riders:
            # Once per rider per frame on a coarse feed; on a fine one, three or four values
            # are read before the frame is off every step.
            km: float | None = fix.__dict__["km_to_finish"]
            if km is None or not 0.0 < km < KM_MAX or km in values:
                continue  # Unknown, on the line (0 is on every step), or already read.
            values.add(km)
            if abs(km / finest - round(km / finest)) >= ON_STEP:
                off += 1
                # Off: too many for any share of the frame, or most of the values read so far
                # (a frame of a coarse feed with 5 % off: the first three read of the first
                # five one time in a thousand).
                if off > allowed or (off >= 3 and 2 * off > len(values)):
                    off = allowed + 1
                    break
        self.frame_on_km = self.frame_km = None
        for step, seen in self._on.items():
            off_step = values if off > allowed else _off(values, step)
            if len(off_step) > len(values) * OFF_SHARE:
                seen.clear()
                continue
            if self.frame_on_km is None and values:
                # The coarsest step they are on: on it, they are on every finer one, which
                # asks more values (fewer fall on a coarser step by chance).
                self.frame_on_km = step
                if len(values) - len(off_step) >= FRAME_VALUES[step]:
                    self.frame_km = step
            if len(seen) < MIN_VALUES[step]:
                seen.update(values - off_step)
        self.km = next(
            (step for step, seen in self._on.items() if len(seen) >= MIN_VALUES[step]), None
        )


def _off(values: set[float], step: float) -> set[float]:
    """The values not on `step`."""
    return {km for km in values if abs(km / step - round(km / step)) >= ON_STEP}


def within_steps(riders: Sequence[RiderFix], route: RouteLine, step_km: float) -> dict[int, float]:
    """Where each rider lies within his step: his fix's nearest point on the route no further
    than a step from the feed's km (a feed may round, or cut, to its step), by index in
    `riders`, in km from the start. A rider without a fix, or whose fix is off the route, keeps
    the feed's km."""
    placed: dict[int, float] = {}
    distance = route.distance_km
    reach = step_km + SLACK_KM
    for index, fix in enumerate(riders):
        km, lat, lon = fix.km_to_finish, fix.lat, fix.lon
        if km is None or lat is None or lon is None:
            continue
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            continue
        near = distance - km
        if near < 0.0:
            continue  # Before km 0 (the neutralised start): the route's first point is no place.
        d2, found = route.nearest(*route.plane(lat, lon), near - reach, near + reach)
        if d2 <= ON_ROUTE_KM * ON_ROUTE_KM and abs(found - near) <= reach:
            placed[index] = found
    return placed
