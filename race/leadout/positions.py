"""Where the riders are for the lead-out: km to go, placed from the GPS fix near the front.

In a lead-out the wheels are 1-2 m apart; the feed's km to go comes in 10 m steps. Where the
trains are watched, the riders near the head are placed from their GPS fix projected on the
route (`race.tracking.geometry.RouteLine`). Before that, the lead-out tracker only redraws an
overview every so often: what it reads is made only if it reads it (`Deferred`).
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping, Sequence, ValuesView
from typing import TypeVar

from race.models import Bib
from race.tracking.geometry import RouteLine
from race.tracking.tracks import Placed

PRECISE_BEHIND_HEAD_KM = 3.0
"""Where the lead-out is watched, riders this close to the head are placed from their GPS fix."""
PRECISE_RIDERS = 80
"""Of those, the first 80: the trains ride at the front; further back 10 m steps will do."""

V = TypeVar("V")


class Deferred(Mapping[Bib, V]):
    """A mapping made on first use."""

    def __init__(self, make: Callable[[], dict[Bib, V]]) -> None:
        self._make = make
        self._data: dict[Bib, V] | None = None

    def made(self) -> dict[Bib, V]:
        """The mapping itself (iterating a `Mapping` subclass goes through `__getitem__`)."""
        if self._data is None:
            self._data = self._make()
        return self._data

    def __getitem__(self, key: Bib) -> V:
        return self.made()[key]

    def __iter__(self) -> Iterator[Bib]:
        return iter(self.made())

    def __len__(self) -> int:
        return len(self.made())

    def values(self) -> ValuesView[V]:
        return self.made().values()

    def items(self) -> ItemsView[Bib, V]:
        # The inherited one looks every key up again through `__getitem__`.
        return self.made().items()


def road_positions(
    t: float,
    placed: Sequence[Placed],
    head_km: float | None,
    route: RouteLine | None,
    precise: bool,
) -> dict[Bib, float]:
    """Km to go of the riders on the road; when `precise`, the first `PRECISE_RIDERS` near the
    head from their GPS fix."""
    out: dict[Bib, float] = {}
    precise = precise and route is not None and head_km is not None
    located_riders = 0
    for _, km, _, track in placed:  # finished riders, then the road front to back
        if track.finish_t is not None:
            continue
        if (
            precise
            and located_riders < PRECISE_RIDERS
            and route is not None
            and head_km is not None
            and track.t == t
            and track.lat is not None
            and track.lon is not None
            and km - head_km <= PRECISE_BEHIND_HEAD_KM
        ):
            located_riders += 1
            located = route.km_to_finish(track.lat, track.lon, km)
            if located is not None:
                km = located
        out[track.bib] = km
    return out
