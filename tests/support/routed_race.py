"""The engine's made-up stage with a route (straight north from 43° N, 0° to the line), and a
field racing on it at 45 km/h with GPS fixes that agree with its km to go: the ground on which
the feed-fault tests commit their faults.
"""

from __future__ import annotations

from collections.abc import Mapping

from race.engine import Race
from race.models import ProfilePoint, StartList, Telemetry
from race.situation import Situation
from race.tracking.geometry import KM_PER_DEGREE
from tests.support.frames import DISTANCE, frame, start_list, steady
from tests.support.stages import engine_settings

KMH = 45.0
FIELD = range(1, 31)


def routed_start_list() -> StartList:
    """The test stage with a route: straight north from (43°N, 0°) to the line."""
    plain = start_list()
    profile = tuple(
        ProfilePoint(km=km, altitude_m=100.0, lat=43.0 + km / KM_PER_DEGREE, lon=0.0)
        for km in range(int(DISTANCE) + 1)
    )
    return plain.model_copy(update={"stage": plain.stage.model_copy(update={"profile": profile})})


def on_route(km_to_finish: float) -> tuple[float, float]:
    return 43.0 + (DISTANCE - km_to_finish) / KM_PER_DEGREE, 0.0


def located(t: float, kms: Mapping[int, float], speed: float = KMH) -> Telemetry:
    """A frame whose GPS fixes agree with the km to go (on the route)."""
    return frame(
        t,
        dict(kms),
        speed_kmh={b: speed for b in kms},
        lat={b: on_route(km)[0] for b, km in kms.items()},
        lon={b: on_route(km)[1] for b, km in kms.items()},
    )


def racing(race: Race, start_s: float, end_s: float, kms: Mapping[int, float]) -> Situation:
    """Riders at `kms` at `start_s`, riding at 45 km/h with their GPS on the route."""
    situation = race.situation
    for t, positions in steady(start_s, end_s, 6, {b: (km, KMH) for b, km in kms.items()}):
        situation = race.apply(located(t, {b: km or 0.0 for b, km in positions.items()}))
    return situation


def routed_race() -> Race:
    race = Race(engine_settings())
    race.apply(routed_start_list())
    return race


def break_and_bunch(km: float) -> dict[int, float]:
    """Rider 1 alone 1.5 km ahead of the other 29 (two minutes at 45 km/h)."""
    return {1: km - 1.5} | {b: km for b in FIELD if b != 1}
