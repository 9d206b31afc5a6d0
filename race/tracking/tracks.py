"""What the engine knows of each rider (`RiderTrack`), and the rules every rider's track obeys:
when a rider is on the line, how fast a rider can possibly go, how far apart two fixes can be
compared. Road stages (`race.tracking.field`) and time trials (`race.timetrial`) share them."""

from __future__ import annotations

from dataclasses import dataclass, field

from race.models import Bib, Jersey, RiderFix
from race.tracking.geometry import ground_km
from race.tracking.trajectory import Trajectory

FINISH_KM = 0.005
"""A rider this close to the line (km) is on it (the feed reports positions in 10 m steps)."""
LOST_NEAR_LINE_KM = 1.0
"""A rider last seen this close to the line may have crossed it unseen since (the feed often
drops riders in the last 10-30 m); a time trialist lost there finishes with his pace."""
LAST_KM_RULE_KM = 3.0
"""The 3 km rule (DESIGN.md): an incident in the final 3 km gives a rider his group's time. A
rider the feed stops tracking there (it loses riders, even the whole head of the race, under
the last kilometres' structures) is kept where his gap puts him and finishes with that gap,
instead of being dropped after `hold_missing_s`."""
JUMP_CHECK_S = 120.0
"""Fixes further apart than this are not compared (the rider may have done anything)."""
MAX_KMH = 100.0
"""No rider reaches the line faster than this from his previous fix."""
RACING_KMH = 15.0
"""A field (its median reported speed) slower than this is standing or rolling, not racing."""
DEFAULT_KMH = 42.0
"""Speed assumed for a rider whose feed gives none (a typical bunch on the flat)."""
REPORTED_KMH_MAX = 150.0
"""A reported speed above this (or negative, NaN, infinite) is a fault of the feed, not a
speed: it is dropped, as if the feed had not given it."""
KM_MAX = 1000.0
"""No stage is longer: a km to go beyond it (1e308, infinity) is a fault of the feed."""


def usable_km(km: float | None) -> float | None:
    """A reported km to go, or None when it cannot be one (NaN, infinite, absurd); slightly
    negative values (past the line) count as 0."""
    if km is None or not -KM_MAX <= km <= KM_MAX:
        return None
    return km if km > 0.0 else 0.0


def usable_speed(kmh: float | None) -> float | None:
    """A reported speed, or None when it cannot be one."""
    return kmh if kmh is not None and 0.0 <= kmh <= REPORTED_KMH_MAX else None


REPEAT_KMH = 15.0
"""A rider riding at least this fast moves 20 m in the 5 s between two frames: the same km,
latitude and longitude again are his last fix sent again, not a new one (the Race Center does
it: 18 times in the Pau stage, 114 in the time trial)."""


def sent_again(fix: RiderFix, track: RiderTrack) -> bool:
    """Whether `fix`, at the km the rider was at, is his last fix sent again (no new one came
    from his device): the same GPS position to the last digit while he was riding, by his own
    road over the last two minutes (the feed's speed for a rider is too noisy to say: 10 km/h
    inside a bunch at 45), else by the speed the fix reports. It is no point of his road,
    where he would seem to stop."""
    if fix.lat is None or fix.lat != track.lat or fix.lon != track.lon:
        return False
    kmh = track.path.speed_kmh()
    if kmh is None:
        kmh = fix.speed_kmh
    return kmh is not None and kmh >= REPEAT_KMH


FROZEN_SHARE = 0.4
"""A fix that moved the rider less than this share of the road his speed gives (the share a
GPS jump's own ground must cover to be genuine) has not followed him."""
STEP_KM = 0.01
"""The feed's km to go come in 10 m steps: a move is known to a step."""
WITHIN_A_STEP_KM = 1.5 * STEP_KM
"""Two km to go a step apart differ by less than this, whatever their floats' rounding."""
FROZEN_WITHIN_S = 15.0
"""...judged against the fix before it, up to this long before (two frames of the Race
Center's, and a late one): over a longer hole he may have stopped and ridden off again."""


def frozen(
    track: RiderTrack,
    km: float,
    reported_kmh: float | None,
    lat: float | None,
    lon: float | None,
    t: float,
) -> bool:
    """Whether a fix at `km`, at `t`, stands still while the rider rides: his device's speed
    (without one, how far his GPS position went) and his own road over the last two minutes
    both at least `REPEAT_KMH`, and the fix moving him, from the fix before it and give or take
    the feed's step, less than `FROZEN_SHARE` of the road the slower of the two gives. Real
    feeds do it: on the Pau stage a rider of the bunch had his km stay at 10.45 to 10.41 for
    48 s while his speed read 55 to 83 km/h and his fixes went up to 660 m off the route's
    trace, then jump 0.94 km (another rider froze at the same place). It is no point of his
    road, where he would seem to stop and lose time: he is missing from that frame, and keeps
    his gap. Both must say he rides: a field standing at the start, or a rider stopping, has
    his own road or his device (or his position) say so. A fix left out is the one the next is
    judged against, so that a long freeze stays one.
    """
    seen = track.seen_t > track.t
    before_t, before_km = (track.seen_t, track.seen_km) if seen else (track.t, track.km)
    dt = t - before_t
    if not 0.0 < dt <= FROZEN_WITHIN_S:
        return False
    ahead = before_km - km
    if ahead < -WITHIN_A_STEP_KM:
        # Further back: a rider turning back, or his GPS drifting (the Pau stage's bib 195 went
        # 40 m back, his fix on the route where the km put him): not a position that stuck.
        return False
    # The most he can have moved (km/h along the road), the feed's step given him.
    moved = (ahead + STEP_KM) * 3600.0 / dt
    if reported_kmh is not None:
        if moved >= FROZEN_SHARE * reported_kmh:  # checked first: most fixes stop here
            return False
        witness = reported_kmh
    else:
        # No speed to go by: a km that did not move (a step at most) is judged by how far his
        # GPS position went, in a straight line (never more than his road).
        if ahead > WITHIN_A_STEP_KM:
            return False
        position = usable_fix(lat, lon)
        before = usable_fix(*((track.seen_lat, track.seen_lon) if seen else (track.lat, track.lon)))
        if position is None or before is None:
            return False
        witness = ground_km(*before, *position) * 3600.0 / dt
    road = track.path.speed_kmh()
    riding = min(witness, road) if road is not None else 0.0
    if riding < REPEAT_KMH or moved >= FROZEN_SHARE * riding:
        return False
    track.left_out(t, km, lat, lon)
    return True


def usable_fix(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """A GPS fix, or None when either coordinate is missing or impossible."""
    if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return lat, lon


@dataclass(slots=True, eq=False)
class RiderTrack:
    """What the engine knows of one rider."""

    bib: Bib
    t: float
    """Feed time of the last fix with a distance."""
    km: float
    """Km to go: the last trusted fix, or the predicted position while the fix is suspect."""
    speed: float | None = None
    lat: float | None = None
    lon: float | None = None
    jersey: Jersey | None = None
    path: Trajectory = field(default_factory=Trajectory)
    gap: float | None = None
    """Passage-time gap at `gap_t`, his last fix on the road."""
    gap_t: float | None = None
    finish_t: float | None = None
    finish_gap: float | None = None
    """Gap to the winner at the line."""
    suspect_since: float | None = None
    anchor_t: float = 0.0
    anchor_km: float = 0.0
    anchor_kmh: float = DEFAULT_KMH
    ghost_t: float | None = None
    """When the feed last gave a fix that was set aside (suspect riders)..."""
    ghost_km: float = 0.0
    """... and where it put him: a next fix agreeing with it confirms it."""
    rewound_t: float | None = None
    """When his trajectory last lost points the feed withdrew (a resync back)."""
    seen_t: float = 0.0
    """When the feed last gave a fix for him that was left out (sent again, `frozen`)..."""
    seen_km: float = 0.0
    """... and where it put him: the next fix is judged against it (`frozen`)."""
    seen_lat: float | None = None
    seen_lon: float | None = None

    def left_out(self, t: float, km: float, lat: float | None, lon: float | None) -> None:
        """A fix of his that is no point of his road: the next is judged against it."""
        self.seen_t, self.seen_km, self.seen_lat, self.seen_lon = t, km, lat, lon

    @property
    def finished(self) -> bool:
        return self.finish_t is not None

    @property
    def kept_to_the_line(self) -> bool:
        """Lost in the final 3 km with a known gap: he is placed with that gap until he
        finishes with it (`LAST_KM_RULE_KM`)."""
        return self.km <= LAST_KM_RULE_KM and self.gap is not None


Placed = tuple[float, float, Bib, RiderTrack]
"""A tracked rider at one instant: (gap, km to go, bib, track); the gap is final once he has
finished. A plain tuple: a list of them sorts front to back natively, and the engine makes
one per rider per frame."""


@dataclass(frozen=True)
class Winner:
    bib: Bib
    t: float
    """Feed time of his crossing of the line."""
    basis: str
    """How the time was found, e.g. "extrapolated 30 m from his last fix"."""
    doubt: str = ""
    """Why he is a guess, empty when he is not: "a photo finish: the positions cannot tell"
    (riders level with him at his last fix), "the feed lost riders ahead of him before the
    line"..."""

    @property
    def sure(self) -> bool:
        """The feed's positions tell who crossed first."""
        return not self.doubt
