"""Gap trends over a sliding window of road, and where a chasing group catches the one ahead."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from race.situation import CatchProjection

CLOSING_MIN_S_PER_10KM = 1.0
"""Below this relative speed two groups are considered to hold their gap: no catch projected."""


@dataclass(frozen=True)
class Trend:
    s_per_10km: float
    s_per_min: float
    over_km: float
    over_s: float

    @property
    def basis(self) -> str:
        return f"over {self.over_km:.1f} km / {self.over_s / 60:.0f} min"


class GapHistory:
    """Recent (time, km to finish, gap) samples of one group."""

    def __init__(self, window_km: float, min_km: float) -> None:
        self.window_km = window_km
        self.min_km = min_km
        self._samples: deque[tuple[float, float, float]] = deque()

    def add(self, t: float, km_to_finish: float, gap_s: float) -> None:
        if self._samples and t <= self._samples[-1][0]:
            return
        self._samples.append((t, km_to_finish, gap_s))
        # Keep one sample beyond the window so the window is always fully covered.
        while len(self._samples) > 2 and self._samples[1][1] - km_to_finish >= self.window_km:
            self._samples.popleft()

    def trend(self) -> Trend | None:
        if len(self._samples) < 2:
            return None
        t0, km0, g0 = self._samples[0]
        t1, km1, g1 = self._samples[-1]
        over_km = km0 - km1
        if over_km < self.min_km or t1 <= t0:
            return None
        return Trend(
            s_per_10km=(g1 - g0) / over_km * 10.0,
            s_per_min=(g1 - g0) / (t1 - t0) * 60.0,
            over_km=over_km,
            over_s=t1 - t0,
        )


def project_catch(
    gap_between_s: float,
    ahead_km_to_finish: float,
    closing_s_per_10km: float,
    over_km: float,
) -> CatchProjection | None:
    """Where the group behind catches the group ahead if their relative trend holds.

    Args:
        gap_between_s: time gap between the two groups now.
        ahead_km_to_finish: where the group ahead is.
        closing_s_per_10km: change of the gap between them per 10 km (negative: closing).
        over_km: road the trends were measured over (for the basis shown to the user).
    """
    if closing_s_per_10km > -CLOSING_MIN_S_PER_10KM:
        return None
    km_needed = gap_between_s / -closing_s_per_10km * 10.0
    at = ahead_km_to_finish - km_needed
    return CatchProjection(
        km_to_finish=round(at, 1) if at > 0 else None,
        closing_s_per_10km=round(closing_s_per_10km, 1),
        basis=f"{closing_s_per_10km:+.0f} s/10 km over {over_km:.0f} km".replace("-", "−"),
    )
