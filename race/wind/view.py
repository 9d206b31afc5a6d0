"""The wind as the situation carries it (`race.wind`)."""

from __future__ import annotations

from race.view import View

COMPASS = (
    *("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE"),
    *("S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"),
)


def compass(degrees: float) -> str:
    """The 16-point compass name of a direction in degrees clockwise from north."""
    return COMPASS[round((degrees % 360) / 22.5) % 16]


class WindNow(View):
    """The wind where the riders are, from their sensors (the Race Center's per-rider wind)."""

    from_deg: float | None
    """Where it comes from, degrees clockwise from north; None when no rider's heading is
    known (neither the feed's nor the route's)."""
    speed_kmh: float | None
    """Its speed (the riders' median), km/h."""
    temperature_c: float | None = None
    """The riders' median air temperature."""
    km_from_start: float | None = None
    """Where it was measured: the median of the riders' km from the start."""
    riders: int = 0
    """Riders whose sensors gave it."""
    t: float
    """When (the frame's feed time, UNIX s)."""
    basis: str = ""
    """Where it comes from, e.g. "sensors of 12 riders at km 120"."""

    @property
    def compass(self) -> str | None:
        return compass(self.from_deg) if self.from_deg is not None else None


class Crosswind(View):
    """A stretch of the route ahead of the head of the race across a strong wind."""

    from_km_to_go: float
    to_km_to_go: float
    road_deg: float
    """The road's general heading over the stretch, degrees clockwise from north."""
    basis: str
    """The whole reading, e.g. "wind NE 25 km/h at km 120 (sensors of 12 riders), road heading
    SE from 45 to 38 km to go: echelon risk"."""
