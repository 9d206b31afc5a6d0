"""Gap trends over a sliding window of road, and where a chasing group catches the one ahead."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from race.situation import CatchProjection

CLOSING_MIN_S_PER_10KM = 1.0
"""Below this relative speed two groups are considered to hold their gap: no catch projected."""
TREND_MIN_S = 60.0
"""A trend needs at least this much time behind it as well as `trend_min_km` of road."""


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
    """Recent (time, km to finish, gap) samples of one group, and their least-squares trend.

    The slope of a straight line fitted through every sample of the window is far steadier
    than the difference of its two ends: one gap is only known to a second or two. The sums
    of the fit are kept up to date as samples come and go, so a trend costs the same whatever
    the window holds.
    """

    def __init__(self, window_km: float, min_km: float) -> None:
        self.window_km = window_km
        self.min_km = min_km
        self._samples: deque[tuple[float, float, float]] = deque()
        self._origin: tuple[float, float] | None = None  # (t, km): keeps the sums small
        self._sums = [0.0] * 8  # n, Σx, Σxx, Σxy, Στ, Σττ, Στy, Σy
        self._trend: Trend | None = None
        self._trend_of = -1
        """`trend()` as of the `_trend_of`-th change (read twice per frame: groups, alerts)."""
        self._changes = 0

    def __len__(self) -> int:
        return len(self._samples)

    def add(self, t: float, km_to_finish: float, gap_s: float) -> None:
        samples = self._samples
        if samples and t <= samples[-1][0]:
            return
        if self._origin is None:
            self._origin = (t, km_to_finish)
        samples.append((t, km_to_finish, gap_s))
        self._accumulate(t, km_to_finish, gap_s, 1.0)
        # Keep one sample beyond the window so that the window is always fully covered.
        while len(samples) > 2 and samples[1][1] - km_to_finish >= self.window_km:
            old = samples.popleft()
            self._accumulate(*old, -1.0)

    def _accumulate(self, t: float, km: float, gap: float, sign: float) -> None:
        assert self._origin is not None
        self._changes += 1
        x = self._origin[1] - km  # road covered since the origin
        tau = (t - self._origin[0]) / 60.0  # minutes since the origin
        s = self._sums
        s[0] += sign
        s[1] += sign * x
        s[2] += sign * x * x
        s[3] += sign * x * gap
        s[4] += sign * tau
        s[5] += sign * tau * tau
        s[6] += sign * tau * gap
        s[7] += sign * gap

    def copy(self) -> GapHistory:
        twin = GapHistory(self.window_km, self.min_km)
        twin._samples = deque(self._samples)
        twin._origin = self._origin
        twin._sums = list(self._sums)
        return twin

    def rebase(self, gap_at: Callable[[float, float], float | None]) -> None:
        """Recompute every sample's gap with a new reference (the head of the race changed).

        `gap_at(t, km)` gives the gap of a rider at `km` to go at time `t`; samples it cannot
        place are dropped.
        """
        old = list(self._samples)
        self._samples.clear()
        self._origin = None
        self._sums = [0.0] * 8
        self._changes += 1
        for t, km, _ in old:
            gap = gap_at(t, km)
            if gap is not None:
                self.add(t, km, gap)

    def trend(self) -> Trend | None:
        if self._trend_of != self._changes:
            self._trend, self._trend_of = self._fit(), self._changes
        return self._trend

    def _fit(self) -> Trend | None:
        samples = self._samples
        if len(samples) < 3:
            return None
        t0, km0, _ = samples[0]
        t1, km1, _ = samples[-1]
        over_km = km0 - km1
        over_s = t1 - t0
        if over_km < self.min_km or over_s < TREND_MIN_S:
            return None
        n, sx, sxx, sxy, st, stt, sty, sy = self._sums
        dx = n * sxx - sx * sx
        dt = n * stt - st * st
        if dx <= 0 or dt <= 0:
            return None
        per_km = (n * sxy - sx * sy) / dx
        per_min = (n * sty - st * sy) / dt
        return Trend(s_per_10km=per_km * 10.0, s_per_min=per_min, over_km=over_km, over_s=over_s)


def project_catch(
    gap_between_s: float,
    behind_km_to_finish: float,
    closing_s_per_10km: float,
    over_km: float,
) -> CatchProjection | None:
    """Where the group behind catches the group ahead if their relative trend holds.

    The gap between them changes by `closing_s_per_10km` for every 10 km the chasers ride, so
    they make up `gap_between_s` after `gap_between_s / -closing * 10` km, counted from where
    they are now.

    Args:
        gap_between_s: time gap between the two groups now.
        behind_km_to_finish: where the chasing group is.
        closing_s_per_10km: change of the gap between them per 10 km (negative: closing).
        over_km: road the trends were measured over (for the basis shown to the user).
    """
    if closing_s_per_10km > -CLOSING_MIN_S_PER_10KM:
        return None
    km_needed = gap_between_s / -closing_s_per_10km * 10.0
    at = behind_km_to_finish - km_needed
    return CatchProjection(
        km_to_finish=round(at, 1) if at > 0 else None,
        closing_s_per_10km=round(closing_s_per_10km, 1),
        basis=f"{closing_s_per_10km:+.0f} s/10 km over {over_km:.0f} km".replace("-", "−"),
    )
