"""Play a script back, cadence step after cadence step: every rider's fix (`Playback`).

Each group rides its scripted passage times; inside a group riders hold a place in metres behind
its front (a bunch, a break taking turns, a train), moving between places at a bounded speed;
the sprint trains' places come from `choreography`. A rider's fix is read from the route grid at
his position, with GPS and speed noise on top (`fixes`).
"""

from __future__ import annotations

import bisect
import math
import random
from typing import TYPE_CHECKING, Any

from feeds.simulation.choreography import (
    block_positions,
    group_sprint_positions,
    moving_up,
    smoothstep,
)
from feeds.simulation.fixes import NOISE_POOL, FixReader
from feeds.simulation.script import Finale, GroupSprint, Script, time_at
from race.models import Bib

if TYPE_CHECKING:
    from feeds.simulation.stage import Sparse


class Playback(FixReader):
    """The state of the race between frames: who rides in which group, at what place."""

    def __init__(
        self, script: Script, cadence_s: float, noise_m: float, sparse: Sparse | None = None
    ) -> None:
        self.script = script
        self.dt = cadence_s
        self.layout_dt = cadence_s
        """Seconds since the riders were last laid out: the cadence, but in a sparse stretch."""
        self.noise_m = noise_m
        rng = random.Random(f"{script.scenario}:{script.seed}:playback")
        noise = random.Random(f"{script.scenario}:{script.seed}:noise")
        self.rng = rng
        self.pool = [noise.gauss(0.0, 1.0) for _ in range(NOISE_POOL)]
        ro = script.roster
        self.bibs: list[Bib] = [r.bib for r in ro.riders]
        self.index = {b: i for i, b in enumerate(self.bibs)}
        n = len(self.bibs)
        self.group_names = [g.name for g in script.groups]
        gi = {name: k for k, name in enumerate(self.group_names)}
        self.kinds = [g.kind for g in script.groups]
        self.times = [g.times for g in script.groups]
        self.ptr = [0] * len(script.groups)
        self.members: list[list[int]] = [[] for _ in script.groups]
        self.grp = [0] * n
        events: list[tuple[float, int, int]] = []
        for i, b in enumerate(self.bibs):
            legs = script.itineraries[b]
            self.grp[i] = gi[legs[0][1]]
            self.members[self.grp[i]].append(i)
            for km, name in legs[1:]:
                events.append((script.group_time(name, km), i, gi[name]))
        self.moves = sorted(events)
        scores: list[tuple[float, int, float]] = []
        self.base = [0.0] * n
        for i, b in enumerate(self.bibs):
            schedule = script.scores[b]
            self.base[i] = schedule[0][1]
            for km, score in schedule[1:]:
                group = next(name for k, name in reversed(script.itineraries[b]) if k <= km)
                scores.append((script.group_time(group, km), i, score))
        self.score_changes = sorted(scores)
        self.walk = [0.0] * n
        self.eff = list(self.base)
        self.jit = [rng.uniform(0.75, 1.3) for _ in range(n)]
        self.off = [self.base[i] * 200.0 for i in range(n)]
        self.prev_off = list(self.off)
        self.finale = script.finale
        self.move_i = 0
        self.change_i = 0
        self._prepare_fixes()
        self.sparse = sparse
        self.frame = 0
        """The next cadence step to play."""
        self.laid = -1
        """The last frame the riders were laid out in their groups."""
        self.sent = -math.inf
        """The last frame sent in the sparse stretch."""
        self.dense_from = self._dense_from(sparse) if sparse is not None else -math.inf
        """When every frame is sent again (see `Sparse`)."""

    # --- group positions ------------------------------------------------------------------------

    def _where(self, g: int, t: float) -> tuple[float, float]:
        """Km of the group's front at time t, and its speed (km/h)."""
        times = self.times[g]
        p = self.ptr[g]
        last = len(times) - 2
        while p < last and times[p + 1] <= t:
            p += 1
        self.ptr[g] = p
        route = self.script.route
        dtime = times[p + 1] - times[p]
        return (route.x0 + (p + (t - times[p]) / dtime) * route.step, route.step / dtime * 3600.0)

    # --- layouts --------------------------------------------------------------------------------

    def _settle(self, order: list[int], targets: list[float], alpha: float, vmax: float) -> None:
        """Move riders towards their places, no faster than `vmax` m/s relative to the group."""
        off, prev = self.off, self.prev_off
        lim = vmax * self.layout_dt
        for r, target in zip(order, targets, strict=True):
            o = off[r]
            prev[r] = o
            step = (target - o) * alpha
            if step > lim:
                step = lim
            elif step < -lim:
                step = -lim
            off[r] = o + step

    def _layout(self, g: int, t: float, x: float, v: float) -> None:
        """Give every rider of group g his place behind its front (x km, v km/h) at time t."""
        members = self.members[g]
        if not members:
            return
        kind = self.kinds[g]
        alpha = 1.0 - math.exp(-self.layout_dt / 10.0)
        if kind == "break":
            sprint = self.script.sprint
            s = self.script.route.distance_km - x
            if sprint is not None and sprint.group == self.group_names[g] and s <= sprint.launch_km:
                self._sprint(members, sprint, s)
                return
            order = sorted(members)
            turn = int(t / 45.0) % len(order)
            order = order[turn:] + order[:turn]
            spacing = 2.2 + 0.02 * v
            self._settle(order, self._cumulate(order, spacing, 0.0), alpha, 2.0)
            return
        if kind == "loose":
            order = sorted(members, key=self.off.__getitem__)
            self._settle(order, [3.0 * k for k in range(len(order))], alpha, 0.4)
            return
        spacing = 0.8 + 0.01 * v
        finale = self.finale
        s = self.script.route.distance_km - x
        if kind == "peloton" and finale is not None and s <= finale.move_up_km:
            spacing += (0.85 - spacing) * smoothstep((6.0 - s) / 2.0)
            if s > finale.block_km:
                order, targets = moving_up(
                    members, finale, s, spacing, self.index, self.eff, self.jit
                )
                self._settle(order, targets, alpha, 2.5)
                return
            placed, start = self._block(members, finale, s, t)
            peeled = sorted(
                (
                    r
                    for r in members
                    if self.bibs[r] in finale.peels and s <= finale.peels[self.bibs[r]]
                ),
                key=lambda r: -finale.peels[self.bibs[r]],
            )
            rest = sorted(
                (r for r in members if r not in placed and r not in peeled),
                key=self.eff.__getitem__,
            )
            order = peeled + rest
            self._settle(order, self._cumulate(order, spacing, start), alpha, 2.5)
            return
        order = sorted(members, key=self.eff.__getitem__)
        self._settle(order, self._cumulate(order, spacing, 0.0), alpha, 2.5)

    def _cumulate(self, order: list[int], spacing: float, start: float) -> list[float]:
        """Places in a line from `start` metres, each rider taking about `spacing` metres."""
        jit = self.jit
        out = []
        cum = start
        for r in order:
            out.append(cum)
            cum += spacing * jit[r]
        return out

    def _block(
        self,
        members: list[int],
        finale: Finale,
        s: float,
        t: float,
    ) -> tuple[set[int], float]:
        """Put the block's riders at their places exactly; returns the riders placed and where
        the rest of the bunch starts behind them."""
        pos = block_positions({self.bibs[r] for r in members}, finale, s, t)
        for b, p in pos.items():
            r = self.index[b]
            self.prev_off[r] = self.off[r]
            self.off[r] = p
        return {self.index[b] for b in pos}, max(pos.values(), default=0.0) + 3.0

    def _sprint(self, members: list[int], sprint: GroupSprint, s: float) -> None:
        """Line a small group out for its sprint: each rider moves towards his crossing place."""
        bibs, off = self.bibs, self.off
        now = {bibs[r]: off[r] for r in members}
        for b, p in group_sprint_positions(now, sprint, s).items():
            r = self.index[b]
            self.prev_off[r] = off[r]
            off[r] = p

    # --- the frames -----------------------------------------------------------------------------

    def step(self) -> tuple[float, list[dict[str, Any]]]:
        """Play the next cadence step: its time and its frame's rows, none when the frame is
        not sent (in the sparse stretch, while the head is more than `sparse.until_km` to
        go)."""
        sparse, frame = self.sparse, self.frame
        t = self.script.neutral_start_t + frame * self.dt
        self._regroup(t, frame)
        rows: list[dict[str, Any]] = []
        if sparse is not None and t < self.dense_from and self._sparse_at(t, sparse):
            if (frame - self.sent) * self.dt < sparse.every_s:
                self._drops()  # The frame is not sent, but its draws are made all the same.
            else:
                self._lay_out(t, (frame - self.laid) * self.dt)
                rows = self._fixes(t, frame)
                self.laid = self.sent = frame
        else:
            # `(frame - laid) * dt` is `dt` itself from the second frame on: the frames of a
            # whole stage are computed exactly as they always were.
            self._lay_out(t, (frame - self.laid) * self.dt)
            rows = self._fixes(t, frame)
            self.laid = frame
        self.frame = frame + 1
        return t, rows

    def _sparse_at(self, t: float, sparse: Sparse) -> bool:
        """Whether the frame at time t, before the history `_dense_from` keeps, may be left
        out: away from the start and from riders changing groups."""
        if abs(t - self.script.start_t) < sparse.dense_s:
            return False
        moves, i = self.moves, self.move_i
        if i > 0 and t < moves[i - 1][0] + sparse.dense_s:
            return False
        return not (i < len(moves) and moves[i][0] - sparse.dense_s <= t)

    def _dense_from(self, sparse: Sparse) -> float:
        """When the frames must be complete again so that at `sparse.until_km` every group has
        its history: its own last `history_km`, and the head's passage where it is then."""
        script, route = self.script, self.script.route
        end_x = route.distance_km - sparse.until_km
        if end_x <= route.x0:
            return -math.inf
        until = script.head_time(min(end_x, route.distance_km))
        grp = list(self.grp)
        for t, r, g in self.moves:
            if t > until:
                break
            grp[r] = g
        start = until
        for g in set(grp):
            x = _km_at(route.x0, route.step, self.times[g], until)
            back = max(x - sparse.history_km, route.x0)
            start = min(start, time_at(route, self.times[g], back), script.head_time(x))
        return start - sparse.every_s

    def _regroup(self, t: float, frame: int) -> None:
        """Move riders between groups and reshuffle the bunch a little."""
        grp, off, prev_off = self.grp, self.off, self.prev_off
        moves = self.moves
        while self.move_i < len(moves) and moves[self.move_i][0] <= t:
            _, r, g_new = moves[self.move_i]
            self.move_i += 1
            g_old = grp[r]
            # Keep the rider where he is: his place is re-measured from his new group's front.
            shift = (self._where(g_new, t)[0] - self._where(g_old, t)[0]) * 1000.0
            off[r] += shift
            prev_off[r] += shift
            self.members[g_old].remove(r)
            self.members[g_new].append(r)
            grp[r] = g_new
        changes = self.score_changes
        while self.change_i < len(changes) and changes[self.change_i][0] <= t:
            _, r, score = changes[self.change_i]
            self.change_i += 1
            self.base[r] = score
            self.eff[r] = score + self.walk[r]
        pool, rng, n = self.pool, self.rng, len(self.bibs)
        k = (frame * 1543) % (NOISE_POOL - 64)
        for _ in range(max(1, round(self.dt / 3.0))):
            r = rng.randrange(n)
            w = min(max(self.walk[r] + pool[k] * 0.03, -0.12), 0.12)
            k += 1
            self.walk[r] = w
            self.eff[r] = self.base[r] + w

    def _lay_out(self, t: float, dt: float) -> None:
        """Lay every group out at time t, `dt` seconds after the last time they were."""
        self.layout_dt = dt
        for g in range(len(self.members)):
            if self.members[g]:
                x, v = self._where(g, t)
                self.gx[g], self.gv[g] = x, v
                self._layout(g, t, x, v)


def _km_at(x0: float, step: float, times: tuple[float, ...], t: float) -> float:
    """Where a group's front is at time t, from its passage times on the route grid."""
    i = min(max(bisect.bisect_right(times, t) - 1, 0), len(times) - 2)
    f = (t - times[i]) / (times[i + 1] - times[i])
    return x0 + (i + min(max(f, 0.0), 1.0)) * step
