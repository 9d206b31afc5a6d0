"""A frame that gives one rider two fixes at one instant (two devices, a stale source relayed
beside the live one): the fix nearest to where the engine has the rider is kept.

Without this, the fix that came last in the frame won, whichever it was: a stale second source
put riders kilometres behind their group, and a stale fix read first was taken for a jump that
held the live one back."""

from __future__ import annotations

import math
from collections.abc import Mapping

from race.models import Bib, RiderFix, Telemetry
from race.tracking.geometry import ground_km
from race.tracking.jumps import JUMP_KM
from race.tracking.tracks import RiderTrack, usable_km


def one_fix_each(frame: Telemetry, tracks: Mapping[Bib, RiderTrack]) -> tuple[Telemetry, int]:
    """`frame` with at most one fix per rider, and how many fixes were left out."""
    riders = frame.riders
    if len({fix.bib for fix in riders}) == len(riders):
        return frame, 0
    kept: dict[Bib, RiderFix | None] = {}
    for fix in riders:
        if fix.bib not in kept:
            kept[fix.bib] = fix
        elif (other := kept[fix.bib]) is not None:
            # A key given again keeps its place: the frame's order stands.
            kept[fix.bib] = _nearer(fix, other, tracks.get(fix.bib))
    fixes = tuple(fix for fix in kept.values() if fix is not None)
    return frame.model_copy(update={"riders": fixes}), len(riders) - len(fixes)


def _nearer(fix: RiderFix, other: RiderFix, track: RiderTrack | None) -> RiderFix | None:
    """The one of two fixes nearer to the rider's last place. When neither can be told from it
    (a rider not seen yet, fixes without a place), the first if they agree, else neither: which
    one is right is unknown, and the rider is missing from this frame."""
    off, other_off = _off(fix, track), _off(other, track)
    if off != other_off:
        return fix if off < other_off else other
    km, other_km = usable_km(fix.km_to_finish), usable_km(other.km_to_finish)
    if km is not None and other_km is not None and abs(km - other_km) > JUMP_KM:
        return None
    return other


def _off(fix: RiderFix, track: RiderTrack | None) -> float:
    """How far `fix` is from the rider's last place, in km; infinite when it cannot be told."""
    if track is None:
        return math.inf
    km = usable_km(fix.km_to_finish)
    if km is not None:
        return abs(km - track.km)
    lat, lon, at_lat, at_lon = fix.lat, fix.lon, track.lat, track.lon
    if lat is None or lon is None or at_lat is None or at_lon is None:
        return math.inf
    off = ground_km(at_lat, at_lon, lat, lon)
    return off if math.isfinite(off) else math.inf
