"""Riders' fixes read off the route grid: where the playback has put each rider, with GPS and
speed noise, his gap, and his finish; the per-rider loop of the simulator (`world`)."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

from feeds.simulation.script import Script
from race.models import Bib
from race.tracking.geometry import KM_PER_DEGREE

LINGER_FRAMES = 5
"""Frames a finished rider stays in the feed, at km 0, before he stops being tracked."""

DROP_CHANCE = 0.05
"""Share of frames that miss a few riders, as real feeds do."""

NOISE_POOL = 16411
"""Pre-drawn standard normal values reused for GPS and speed noise: drawing three fresh values
per rider and frame would cost more than the rest of the simulation."""

SPEED_NOISE = 0.035
"""Relative noise on a rider's speed (real feeds are noisier still inside a sprinting bunch)."""


class FixReader:
    """Reads every rider's fix from the playback's state (`world._Playback` sets it)."""

    script: Script
    dt: float
    layout_dt: float
    noise_m: float
    rng: random.Random
    pool: list[float]
    bibs: list[Bib]
    members: list[list[int]]
    times: list[tuple[float, ...]]
    grp: list[int]
    off: list[float]
    prev_off: list[float]

    def _prepare_fixes(self) -> None:
        """Tables the per-rider loop reads: route differences, pre-scaled noise."""
        route = self.script.route
        n = len(self.bibs)
        head = self.script.head_times
        self.dlat = [b - a for a, b in itertools.pairwise(route.lat)] + [0.0]
        self.dlon = [b - a for a, b in itertools.pairwise(route.lon)] + [0.0]
        self.dhead = [b - a for a, b in itertools.pairwise(head)] + [0.0]
        self.alt_m = [float(round(a)) for a in route.alt]
        metres_per_degree = KM_PER_DEGREE * 1000.0
        slat = self.noise_m / metres_per_degree
        slon = self.noise_m / (metres_per_degree * math.cos(math.radians(route.lat[0])))
        pool = self.pool
        third = NOISE_POOL // 3
        self.n_lat = [v * slat for v in pool]
        self.n_lon = [v * slon for v in pool[third:] + pool[:third]]
        self.n_speed = [1.0 + v * SPEED_NOISE for v in pool[2 * third :] + pool[: 2 * third]]
        self.jersey_of: list[str | None] = [self.script.roster.jerseys.get(b) for b in self.bibs]
        self.fin_gap: list[float | None] = [None] * n
        self.linger = [0] * n
        self.gone = [False] * n
        self.remaining = n
        self.gx = [0.0] * len(self.members)
        self.gv = [0.0] * len(self.members)

    def _fixes(self, t: float, frame: int) -> list[dict[str, Any]]:
        """Every tracked rider's fix at time t (the hot loop: kept flat on purpose)."""
        script, route = self.script, self.script.route
        n = len(self.bibs)
        drop = self._drops()
        neutral = t < script.start_t
        d, step, inv = route.distance_km, route.step, 1.0 / route.step
        fi_line = (d - route.x0) * inv
        km_base = d - route.x0
        c = 0.001 * inv
        gbase = [(x - route.x0) * inv for x in self.gx]
        gv = self.gv
        lat_g, lon_g, grad_g, alt_m = route.lat, route.lon, route.grad, self.alt_m
        dlat, dlon, head, dhead = self.dlat, self.dlon, script.head_times, self.dhead
        n_lat, n_lon, n_speed = self.n_lat, self.n_lon, self.n_speed
        bibs, grp, off, prev_off = self.bibs, self.grp, self.off, self.prev_off
        jersey_of, fin_gap, gone = self.jersey_of, self.fin_gap, self.gone
        conv = 3.6 / self.layout_dt  # Speed is the move since the riders were last laid out.
        rows: list[dict[str, Any]] = []
        append = rows.append
        k = (frame * 7919) % (NOISE_POOL - n - 1)
        for i in range(n):
            if gone[i]:
                continue
            g = grp[i]
            o = off[i]
            fi = gbase[g] - o * c
            k += 1
            if fin_gap[i] is not None or fi >= fi_line:
                row = self._finished_fix(i, k)
                if row is not None and not (drop and i in drop):
                    append(row)
                continue
            if drop and i in drop:
                continue
            j = int(fi)
            f = fi - j
            speed = gv[g] * n_speed[k] + (prev_off[i] - o) * conv
            # round(v * 10**n) / 10**n gives the same float as round(v, n), three times faster.
            if neutral:
                km: float = d
                gap: float | None = None
            else:
                km = round((km_base - fi * step) * 100.0) / 100.0
                if km > d:
                    km = d
                gap = t - head[j] - dhead[j] * f
                gap = round(gap * 10.0) / 10.0 if gap > 0 else 0.0
            row = {
                "bib": bibs[i],
                "km_to_finish": km,
                "lat": round((lat_g[j] + dlat[j] * f + n_lat[k]) * 1e6) / 1e6,
                "lon": round((lon_g[j] + dlon[j] * f + n_lon[k]) * 1e6) / 1e6,
                "speed_kmh": round(speed * 100.0) / 100.0 if speed > 1.0 else 1.0,
                "feed_gap_s": gap,
                "altitude_m": alt_m[j],
                "gradient_pct": grad_g[j],
            }
            jersey = jersey_of[i]
            if jersey is not None:
                row["jersey"] = jersey
            append(row)
        return rows

    def _drops(self) -> set[int]:
        """The riders missing from this frame (most frames miss none)."""
        rng = self.rng
        if rng.random() < DROP_CHANCE:
            n = len(self.bibs)
            return set(rng.sample(range(n), rng.randint(1, 4)))
        return set()

    def _finished_fix(self, i: int, k: int) -> dict[str, Any] | None:
        """A rider across the line: his finish gap, at km 0 for a few frames, then gone."""
        route = self.script.route
        done = self.fin_gap[i]
        if done is None:
            # He crossed when his group's front was his distance (in metres) past the line.
            times = self.times[self.grp[i]]
            at = (route.distance_km + self.off[i] * 0.001 - route.x0) / route.step
            j = min(int(at), len(times) - 2)
            crossed = times[j] + (times[j + 1] - times[j]) * (at - j)
            gap = round(crossed - self.script.winner_t, 1)
            done = self.fin_gap[i] = gap if gap > 0 else 0.0
        self.linger[i] += 1
        if self.linger[i] > LINGER_FRAMES:
            self.gone[i] = True
            self.remaining -= 1
            return None
        d = route.distance_km
        lat, lon = route.point_at(d + 0.015 * self.linger[i])
        row: dict[str, Any] = {
            "bib": self.bibs[i],
            "km_to_finish": 0.0,
            "lat": round(lat + self.n_lat[k], 6),
            "lon": round(lon + self.n_lon[k], 6),
            "speed_kmh": round(max(self.gv[self.grp[i]] * 0.55 ** self.linger[i], 3.0), 2),
            "feed_gap_s": done,
            "altitude_m": self.alt_m[route.index(d)],
            "gradient_pct": 0.0,
            "finished": True,
        }
        jersey = self.jersey_of[i]
        if jersey is not None:
            row["jersey"] = jersey
        return row
