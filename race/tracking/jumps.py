"""A rider's fix that jumps: how far a fix may jump, how fast he can be believed to ride, and
where an accepted jump puts him (`race.tracking.field` judges the jumps)."""

from __future__ import annotations

from race.tracking.tracks import DEFAULT_KMH, RiderTrack

JUMP_KM = 0.3
"""A fix this much further (or nearer) than the rider's speed allows since his previous fix
is checked against his GPS displacement: the feed's km to go can jump on a resync."""
AGREE_KM = 0.15
"""A suspect rider is trusted again when a fix lands this close to where he should be."""
NEAR_OTHERS_KM = 0.1
"""A jump that lands a rider this close to another rider is a resync, not a glitch."""


def riding_kmh(track: RiderTrack) -> float:
    """The rider's speed where it can be believed, else a bunch's."""
    speed = track.speed
    return speed if speed is not None and 0 < speed < 100 else DEFAULT_KMH


def confirms(track: RiderTrack, km: float, t: float) -> bool:
    """The fix agrees with the suspect rider's previous rejected fix, ridden on at his
    speed: the feed insists, so it was a resync, not a ghost."""
    if track.ghost_t is None or t <= track.ghost_t:
        return False
    expected = track.ghost_km - riding_kmh(track) * (t - track.ghost_t) / 3600.0
    return abs(km - expected) <= AGREE_KM


def move_to(track: RiderTrack, t: float, km: float) -> None:
    """Put a rider where an accepted jump says: further back than his trajectory allows
    means its last points were wrong (a ghost ahead, a lagging fix), so they go."""
    last = track.path.last_km
    if last is not None and km > last + JUMP_KM:
        track.path.rewind(t, km)
        track.rewound_t = t
    else:
        track.path.add(t, km)
    track.km = km
