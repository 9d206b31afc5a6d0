"""A rider's km to go against where his GPS fix lies on the route.

A feed can give a rider a km to go some hundreds of metres from where his own fix is: a second
timing source for some riders, or a map-matching on the wrong stretch of road, offset for
minutes. Behind the lone leader, every gap is measured on his road: his km sent 800 m back read
the bunch a minute closer for 20 km. Where the route is known, the fix says where he is.

Each frame the first rider on the road (the head of the race, whose road every gap is measured
on), `SAMPLED` others in turn and any whose km to go has just jumped (`ask`) are checked: a km
to go more than `OFF_KM` from where the fix lies on the route (the route's trace and the feed's
km agree within some tens of metres: their usual difference, `typical_km`, is the median of the
riders last checked), twice in a row by the same amount (or once by as much as it has just
jumped), is no longer the rider's: until it agrees again he is placed where his fix lies,
looked for where his offset puts it. In a frame whose km to go are all on a coarse step (1 km,
500 m...), a km to go is judged only beyond what the step may have rounded. A fix off the
route, or nowhere near, says nothing.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Sequence
from statistics import median

from race.alerts import AlertLog
from race.models import Bib, RiderFix
from race.tracking.geometry import RouteLine
from race.tracking.routegrid import likeliest_on

OFF_KM = 0.3
"""A km to go this far from where the rider's fix lies on the route is not his (beyond GPS
noise, a trace cutting corners, the feed's 10 m steps)."""
SAME_KM = 0.1
"""Two checks find the same offset when they are this close."""
REACH_KM = 2.0
"""How far from where it is looked for the fix may be found on the route."""
PRIOR_KM = 0.3
"""Where the route passes near the fix twice (a hairpin), the passage nearer the feed's km
wins (one standard deviation, in km: a second passage further than this must be much nearer
the fix)."""
SAMPLED = 2
"""Riders checked each frame besides the first on the road, in turn."""
DRIFT_KMS = 0.001
"""How fast a rider's own deviation is followed (km a second: 60 m a minute, twice what a
trace cutting a climb's hairpins every few hundred metres drifts)."""
FRESH_S = 60.0
"""A rider's own last deviation is what his next is measured from for this long."""
RECENT = 9
"""The usual difference is the median of the last this many riders checked (three frames)."""


class KmCheck:
    """Riders whose km to go the feed sends offset from their fix, and where they really are."""

    def __init__(self) -> None:
        self.typical_km = 0.0
        """The usual difference between the feed's km to go and the fix's place on the route's
        trace (feed minus trace): the median of the last `RECENT` riders checked."""
        self._recent: deque[float] = deque(maxlen=RECENT)
        self._seen: dict[Bib, tuple[float, float]] = {}
        """Each rider's last deviation from the usual difference while his km was his, and
        when: (t, km). A trace that cuts a climb's hairpins drifts it slowly; an offset jumps."""
        self._first_seen: dict[Bib, tuple[float, float]] = {}
        """Riders found off once: (the offset found, the deviation it is measured from)."""
        self.off: dict[Bib, float] = {}
        """Riders whose km to go is not theirs, by the deviation they had before it went off
        (their offset is measured from it)."""
        self._turn = 0
        self._asked: dict[Bib, float] = {}
        """Riders to check at the next frame, by how far their km to go jumped (`ask`)."""
        self._expected: dict[Bib, float] = {}
        """Where the fixes of the riders watched are looked for first: their last deviation
        found, or the jump of their km to go they were asked about after."""
        self._placed: set[Bib] = set()
        """The riders the last frame placed from their fixes."""
        self._news: list[tuple[Bib, float | None]] = []

    def ask(self, bib: Bib, jump_km: float) -> None:
        """Check this rider at the next frame: his km to go has just jumped `jump_km` back
        from where his last place and speed put him (an offset begins with a jump: found at
        once rather than when his turn comes, however far it sends him)."""
        self._asked[bib] = jump_km
        if bib not in self._placed:  # (Else the km that jumped was his fix's place.)
            self._expected[bib] = jump_km

    def check(
        self,
        t: float,
        riders: Sequence[RiderFix],
        kms: list[float],
        route: RouteLine,
        step_km: float | None,
    ) -> dict[int, float]:
        """Check this frame's riders (with their `kms` to go, on `step_km` steps when the feed
        or this frame is coarse: `race.tracking.grain`); the riders to place where their fixes
        are, by index, in km from the start."""
        n = len(riders)
        sample = {kms.index(min(kms))} | {
            (self._turn + k * n // SAMPLED) % n for k in range(SAMPLED)
        }
        self._turn += 1
        chosen = set(sample)
        asked, self._asked = self._asked, {}
        if self.off or self._first_seen or asked:
            watched = self.off.keys() | self._first_seen.keys() | asked.keys()
            chosen.update(i for i, fix in enumerate(riders) if fix.bib in watched)
            if self._expected:  # Without the riders no longer watched.
                self._expected = {b: d for b, d in self._expected.items() if b in watched}
        elif self._expected:
            self._expected = {}
        expected = self._expected
        found: dict[int, float] = {}
        """Riders whose fix is on the route, by index: the feed's km to go minus the fix's."""
        for index in chosen:
            fix = riders[index]
            where = self._on_route(fix, kms[index], route, expected.get(fix.bib, 0.0))
            if where is None:
                continue
            # The feed's km to go minus where the fix is on the route's trace.
            found[index] = difference = kms[index] - (route.distance_km - where)
            if index in sample and riders[index].bib not in self.off:
                # What is usual: the sample's (riders asked about after a jump, ten of them
                # sent 500 m back at once, would make their offset the usual one).
                self._recent.append(difference)
        if self._recent:
            # A route whose length the start list corrects moves every rider at once: the
            # usual difference follows within two frames, and nobody is found off.
            self.typical_km = median(self._recent)
        placed: dict[int, float] = {}
        # Within what a coarse step may have rounded or cut, a km to go is not judged (the
        # first frames of a feed turning coarse, before its step is known, included), but a
        # rider found off may be found back.
        judged_km = OFF_KM + (step_km or 0.0)
        for index, difference in found.items():
            bib = riders[index].bib
            deviation = difference - self.typical_km
            if step_km is None or abs(deviation) > judged_km or bib in self.off:
                self._judge(t, bib, deviation, asked.get(bib))
            if bib in self.off:
                # Where his fix is, as far from the trace as he was before his km went off.
                km_to_go = kms[index] - deviation + self.off[bib]
                placed[index] = route.distance_km - km_to_go
            if bib in self.off or bib in self._first_seen:
                expected[bib] = deviation
            else:
                expected.pop(bib, None)
        self._placed = {riders[index].bib for index in placed}
        return placed

    def _on_route(
        self, fix: RiderFix, km: float, route: RouteLine, deviation: float
    ) -> float | None:
        """Where the fix lies on the route near `km` to go (km from the start), None when it is
        off the route there. Looked for within `OFF_KM` of where the rider's `deviation` puts
        it (nearly every check), then of the feed's km, then within `REACH_KM` of the first
        and the feed's km: the passage nearest where it is looked for wins."""
        lat, lon = fix.lat, fix.lon
        if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
        fed = route.distance_km - km + self.typical_km
        near = fed + deviation
        x, y = route.plane(lat, lon)
        kms, segments = route.kms, route.segments
        last = len(kms) - 1
        tries = ((near, OFF_KM), (fed, OFF_KM)) if deviation else ((near, OFF_KM),)
        for centre, reach in (*tries, (near, REACH_KM + abs(deviation))):
            lo = max(0, bisect_left(kms, centre - reach) - 1)
            hi = min(last, bisect_right(kms, centre + reach))
            score, found = likeliest_on(x, y, segments, lo, hi, centre, PRIOR_KM)
            if score < math.inf and abs(found - centre) <= reach:
                return found
        return None

    def _judge(self, t: float, bib: Bib, deviation: float, jump: float | None) -> None:
        """A rider whose km to go is `deviation` km further back than his fix, beyond the
        usual difference: off when it left his own (followed at `DRIFT_KMS` at most, fresh:
        `FRESH_S`), or the usual one when his own is not fresh; the same twice, or once by as
        much as his km to go has just `jump`ed (the jump was the first time)."""
        if bib in self.off:
            if abs(deviation - self.off[bib]) > OFF_KM:
                return
            del self.off[bib]
            self._news.append((bib, None))
        seen = self._seen.get(bib)
        first = self._first_seen.pop(bib, None)
        if first is not None:
            base = first[1]
        elif seen is not None and t - seen[0] <= FRESH_S:
            base = seen[1]
        else:
            # Nothing fresh of his own (checked in turn, the feed's first frames): measured
            # from the usual difference, an offset there from the feed's first frame or begun
            # between two of his turns is found.
            base = 0.0
        if abs(deviation - base) <= OFF_KM:
            # His own deviation followed no faster than a trace's error drifts: a km to go
            # stuck while he rides drifts at his speed, and is found.
            most = DRIFT_KMS * (t - seen[0]) if seen is not None else OFF_KM
            self._seen[bib] = (t, base + max(-most, min(most, deviation - base)))
            return
        offset = deviation - base
        if (first is not None and abs(offset - first[0]) <= SAME_KM) or (
            jump is not None and abs(offset - jump) <= SAME_KM
        ):
            self.off[bib] = base
            self._news.append((bib, offset))
        else:
            self._first_seen[bib] = (offset, base)

    def say(self, alerts: AlertLog, t: float, name: Callable[[Bib], str]) -> None:
        """On the race radio, each rider found off, or back, since the last call."""
        for bib, offset in self._news:
            who = name(bib)
            if offset is None:
                text = f"Feed: {who}'s km to go agrees with his GPS again"
            else:
                side = "behind" if offset > 0 else "ahead of"
                text = (
                    f"Feed: {who}'s km to go puts him {abs(offset):.1f} km {side} where his GPS "
                    "is on the route: placed from his GPS"
                )
            alerts.raise_(t, "feed_km_offset", text)
        self._news = []
