"""The hilly stage's cast, marks and gap curves: who goes in the break, who splits it, who is
dropped far behind; where each of them does it; and every group's gap to the head of the race.

The phases `hilly.build` calls before it compiles the groups. They share the stage's generator:
the order of the calls, and of the draws inside them, is the order of the draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from feeds.simulation.curves import CurveBuilder, GapCurve, branch, flat, terrain, uphill
from feeds.simulation.roster import Roster
from feeds.simulation.route import AFTER_LINE_KM, Route
from feeds.simulation.scenarios.common import pick
from race.models import Bib

STRAGGLER_MIN_GAP_S = 35 * 60.0
"""The stragglers finish at least 35 minutes down, and outside the time limit when it is later:
a sick rider or a hurt one loses far more than the bunch that sits up."""
PELOTON_SIZE = (110, 120)
"""Riders left in the peloton once the break, the grupetto and the stragglers have gone: the
largest share of the field, as on a Tour hilly stage won from a big break."""


@dataclass(frozen=True)
class Cast:
    """Who does what."""

    sick: Bib
    """A sprinter who is ill, dropped on the second climb."""
    waits: tuple[Bib, ...]
    """None or one teammate who drops back to ride in with him."""
    crashed: tuple[Bib, ...]
    """One or two riders who crash on the descent of the third climb and ride in hurt."""
    break_riders: tuple[Bib, ...]
    head: tuple[Bib, ...]
    """The two or three strongest of the break, who go clear on the fourth climb."""
    bridgers: tuple[Bib, ...]
    """The next strongest, who leave the chase on the last climb and catch the head."""
    chase: tuple[Bib, ...]
    """The rest of the break, who finish in the chase."""
    chase_dropped: tuple[Bib, ...]
    """The weakest of the break, dropped by the chase on the last climb."""
    winner: Bib
    grupetto: tuple[Bib, ...]
    """The sprinters and the weakest men of their trains, dropped on the fourth climb."""
    peloton: tuple[Bib, ...]

    @property
    def winning_group(self) -> tuple[Bib, ...]:
        return tuple(sorted((*self.head, *self.bridgers)))

    @property
    def stragglers(self) -> tuple[Bib, ...]:
        return (self.sick, *self.waits, *self.crashed)


def who(rng: random.Random, ro: Roster) -> Cast:
    """The stragglers, the break and its splits, the winner, then the grupetto: each drawn from
    the riders not yet taken; the peloton is everyone else."""
    riders = ro.riders
    sick = rng.choice([r.bib for r in riders if r.role == "sprinter" and r.bib not in ro.jerseys])
    team = ro.team_of(sick)
    helpers = ("leadout", "domestique")
    mates = [r.bib for r in riders if r.team == team and r.role in helpers]
    waits = tuple(rng.sample(mates, rng.choice((0, 1))))
    others = [
        r.bib for r in riders if r.team != team and r.role in helpers and r.bib not in ro.jerseys
    ]
    crashed = tuple(sorted(rng.sample(others, rng.choice((1, 2)))))
    taken = {sick, *waits, *crashed}
    break_riders = _break(rng, ro, taken, rng.randint(30, 35))
    ranked = sorted(break_riders, key=lambda b: -ro.strength[b] - rng.uniform(0.0, 0.15))
    head = ranked[: rng.choice((2, 3))]
    bridgers = ranked[len(head) : len(head) + rng.randint(6, 8)]
    chase_dropped = ranked[-rng.randint(3, 5) :]
    chase = ranked[len(head) + len(bridgers) : -len(chase_dropped)]
    group = sorted((*head, *bridgers))
    winner = pick(rng, group, [1.5 - ro.strength[b] for b in group])
    taken |= set(break_riders)
    sprinters = [r.bib for r in riders if r.role == "sprinter" and r.bib not in taken]
    wanted = max(len(riders) - len(taken) - rng.randint(*PELOTON_SIZE), len(sprinters))
    weakest = sorted(
        (r.bib for r in riders if r.role in helpers and r.bib not in taken),
        key=lambda b: ro.strength[b] + rng.uniform(0.0, 0.1),
    )
    grupetto = {*sprinters, *weakest[: wanted - len(sprinters)]}
    peloton = tuple(r.bib for r in riders if r.bib not in taken and r.bib not in grupetto)
    return Cast(
        sick=sick,
        waits=waits,
        crashed=crashed,
        break_riders=break_riders,
        head=tuple(sorted(head)),
        bridgers=tuple(sorted(bridgers)),
        chase=tuple(sorted(chase)),
        chase_dropped=tuple(sorted(chase_dropped)),
        winner=winner,
        grupetto=tuple(sorted(grupetto)),
        peloton=peloton,
    )


def _break(rng: random.Random, ro: Roster, taken: set[Bib], size: int) -> tuple[Bib, ...]:
    """`size` climbers and domestiques: one from every team in a drawn order, then a second from
    as many as needed (no jersey but the polka-dot one)."""
    pools = {
        t.code: [
            r.bib
            for r in ro.riders
            if r.team == t.code
            and r.role in ("climber", "domestique")
            and r.bib not in taken
            and ro.jerseys.get(r.bib, "polka-dot") == "polka-dot"
        ]
        for t in ro.teams
    }
    order = rng.sample(list(pools), len(pools))
    picked: list[Bib] = []
    for _ in range(2):
        for code in order:
            pool = [b for b in pools[code] if b not in picked]
            if pool and len(picked) < size:
                picked.append(rng.choice(pool))
    return tuple(sorted(picked))


@dataclass(frozen=True)
class Marks:
    """Where, in km from the start of the group concerned."""

    break_km: float
    sick_km: float
    """Where the sick sprinter is dropped, on the second climb."""
    crash_km: float
    """On the descent of the third climb, at a point of the route grid: the rider's move into
    his own group is timed by its passage there, which must not include his stop yet (inside a
    grid step the passage time is interpolated across the stop)."""
    sit_km: float
    """Where the peloton stops chasing and sits up."""
    sat_km: float
    """Where it has let the break go to seven minutes."""
    grupetto_km: float
    split_km: float
    """Where the head goes clear of the break, near the top of the fourth climb."""
    bridge_km: float
    """Where the bridgers leave the chase, on the last climb."""
    chase_drop_km: float
    join_km: float
    """Where the bridgers catch the head."""


def where(rng: random.Random, rt: Route) -> Marks:
    d = rt.distance_km
    _, c2, c3, c4, c5 = rt.spec.climbs
    sat_km = d - 85.0
    return Marks(
        break_km=round(rng.uniform(3.0, 7.0), 2),
        sick_km=round(rng.uniform(c2.foot_km + 1.0, c2.summit_km - 0.5), 2),
        crash_km=rt.km_at(rt.index(rng.uniform(c3.summit_km + 2.0, c3.summit_km + 7.0))),
        sit_km=round(sat_km - rng.uniform(9.0, 12.0), 2),
        sat_km=sat_km,
        grupetto_km=round(rng.uniform(c4.foot_km + 1.0, c4.foot_km + 3.0), 2),
        split_km=round(c4.summit_km - rng.uniform(1.5, 3.0), 2),
        bridge_km=round(c5.foot_km + rng.uniform(0.8, 2.0), 2),
        chase_drop_km=round(c5.foot_km + rng.uniform(0.5, 2.5), 2),
        join_km=round(c5.summit_km + rng.uniform(3.0, 6.5), 2),
    )


@dataclass(frozen=True)
class Curves:
    """The gap curves from the head of the race, by group."""

    peloton: GapCurve
    """The bunch: 3-4 minutes behind the break for its first 80 km, then sitting up."""
    chase: GapCurve
    bridge: GapCurve
    chase_dropped: GapCurve
    grupetto: GapCurve
    sick: GapCurve
    crash: GapCurve


def gap_curves(rng: random.Random, rt: Route, m: Marks, cut: float) -> Curves:
    """Every group's gap; the stragglers' final gaps are drawn past both the cut and
    `STRAGGLER_MIN_GAP_S`, the sick sprinter's already past the latter 25 km from the line."""
    d, end = rt.distance_km, rt.distance_km + AFTER_LINE_KM
    _, c2, c3, c4, c5 = rt.spec.climbs
    pel = (
        CurveBuilder(rt, rt.x0, 0.0)
        .hold(m.break_km)
        .to(m.break_km + 3.0, rng.uniform(30.0, 45.0))
        .to(m.break_km + 9.0, rng.uniform(182.0, 198.0))
        .to(c2.summit_km, rng.uniform(195.0, 225.0))
        .to(c3.summit_km, rng.uniform(205.0, 232.0))
        .to(m.sit_km, rng.uniform(205.0, 232.0))
        .to(m.sat_km, rng.uniform(425.0, 450.0))
    )
    peloton = pel.by(d, rng.uniform(740.0, 790.0) - pel.gap, terrain).hold(end).build()
    ch = CurveBuilder(rt, m.split_km, 0.0).by(c4.summit_km, rng.uniform(12.0, 25.0), uphill)
    ch.by(c5.foot_km, rng.uniform(45.0, 80.0) - ch.gap, flat)
    ch.by(c5.summit_km, rng.uniform(15.0, 30.0), uphill).by(d, rng.uniform(20.0, 70.0), flat)
    chase = ch.hold(end).build()
    behind = chase(m.bridge_km)
    bridge = CurveBuilder(rt, m.bridge_km, behind).by(m.join_km, -behind, flat).hold(end).build()
    chase_dropped = branch(rt, chase, m.chase_drop_km, rng.uniform(120.0, 220.0), terrain, d)
    grupetto = branch(
        rt, peloton, m.grupetto_km, rng.uniform(1260.0, 1560.0) - peloton(d), terrain, d
    )
    floor = max(cut, STRAGGLER_MIN_GAP_S)
    at_25 = rng.uniform(STRAGGLER_MIN_GAP_S + 60.0, STRAGGLER_MIN_GAP_S + 240.0)
    sick = CurveBuilder(rt, m.sick_km, peloton(m.sick_km))
    sick.by(d - 25.0, at_25 - sick.gap, terrain)
    sick.by(d, floor + rng.uniform(420.0, 720.0) - at_25, terrain)
    stop = rng.uniform(150.0, 300.0)
    hurt = floor + rng.uniform(60.0, 300.0) - stop - peloton(d)
    crash = branch(rt, peloton, m.crash_km, hurt, terrain, d, stop_s=stop)
    return Curves(peloton, chase, bridge, chase_dropped, grupetto, sick.hold(end).build(), crash)
