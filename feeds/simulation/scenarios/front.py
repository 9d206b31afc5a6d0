"""The mountain stage's race at the front: the break, the favourites and the winner; where they
go clear, split, attack and are caught, and their gap curves.

The phases `mountain.build` calls for the front of the race, apart from those of the grupetto
(`grupetto`): the two races share only the stage's generator and the order of its draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from feeds.simulation.curves import CurveBuilder, GapCurve, branch, flat, terrain, uphill
from feeds.simulation.roster import Roster
from feeds.simulation.route import AFTER_LINE_KM, Route
from feeds.simulation.scenarios.common import pick
from race.models import Bib


@dataclass(frozen=True)
class Break:
    riders: tuple[Bib, ...]
    survivors: tuple[Bib, ...]
    """The strongest: caught by the favourites on the Hourquette, they ride with them to the
    foot of the last climb."""
    dropped: tuple[Bib, ...]
    """The others, dropped on the Hourquette and caught by the peloton."""


def who_break(rng: random.Random, ro: Roster, taken: set[Bib]) -> Break:
    """A climber or domestique from each of six to nine teams without a lead-out train, if the
    team has one not yet taken."""
    sprint_teams = set(ro.sprint_teams)
    non_sprint = [t.code for t in ro.teams if t.code not in sprint_teams]
    break_size = rng.randint(6, 9)
    break_riders_l: list[Bib] = []
    for team in rng.sample(non_sprint, break_size):
        pool = [
            r.bib
            for r in ro.riders
            if r.team == team
            and r.role in ("climber", "domestique")
            and r.bib not in taken
            and (r.bib not in ro.jerseys or ro.jerseys[r.bib] == "polka-dot")
        ]
        if pool:
            break_riders_l.append(rng.choice(pool))
    riders = tuple(sorted(break_riders_l))
    survivors = tuple(sorted(sorted(riders, key=lambda b: -ro.strength[b])[: rng.choice((2, 3))]))
    return Break(riders, survivors, tuple(b for b in riders if b not in survivors))


@dataclass(frozen=True)
class Favourites:
    front: tuple[Bib, ...]
    """Leaders and climbers not yet taken, strongest (give or take the day) first."""
    together: tuple[Bib, ...]
    """Those still together after the split on the Hourquette, the winner among them."""
    winner: Bib
    favourites: tuple[Bib, ...]
    """Those who finish together behind the winner."""
    dropped: tuple[Bib, ...]
    """Those dropped on the last climb."""
    chase: tuple[Bib, ...]
    """Those dropped on the Hourquette."""


def who_favourites(rng: random.Random, ro: Roster, taken: set[Bib]) -> Favourites:
    front = [r.bib for r in ro.riders if r.role in ("leader", "climber") and r.bib not in taken]
    front.sort(key=lambda b: -ro.strength[b] - rng.uniform(0.0, 0.08))
    favourites_all = front[: rng.randint(9, 12)]
    chase = tuple(sorted(front[len(favourites_all) :]))
    winner = pick(rng, favourites_all[:6], [0.3, 0.22, 0.18, 0.12, 0.1, 0.08])
    fav_rest = [b for b in favourites_all if b != winner]
    fav_dropped = tuple(sorted(fav_rest[-rng.randint(3, 5) :]))
    favourites = tuple(sorted(b for b in fav_rest if b not in fav_dropped))
    return Favourites(tuple(front), tuple(favourites_all), winner, favourites, fav_dropped, chase)


@dataclass(frozen=True)
class Marks:
    """Where, and how much."""

    break_km: float
    lead1: float
    """The break's lead at the foot of the first climb (s)."""
    lead_peak: float
    """Its lead at the foot of the Soum de Lèze, where the bunch splits."""
    catch_km: float
    """Where the favourites catch the last of the break, near the top of the Hourquette."""
    split3_km: float
    """Where the favourites split on the Hourquette."""
    attack_km: float
    """Where the winner attacks on the last climb."""
    fav_final: float
    """What the winner gains on the favourites from there (s)."""


def where(rng: random.Random, rt: Route) -> Marks:
    _, _, c3, c4 = rt.spec.climbs
    break_km = round(rng.uniform(6.0, 14.0), 2)
    lead1 = rng.uniform(170.0, 230.0)
    lead_peak = rng.uniform(270.0, 360.0)
    catch_km = round(c3.summit_km - rng.uniform(0.6, 2.4), 2)
    split3_km = c3.foot_km + rng.uniform(5.0, 7.5)
    attack_km = round(c4.summit_km - rng.uniform(2.5, 4.5), 2)
    fav_final = rng.uniform(25.0, 55.0)
    return Marks(break_km, lead1, lead_peak, catch_km, split3_km, attack_km, fav_final)


@dataclass(frozen=True)
class Curves:
    """The gap curves from the head of the race, by group."""

    main: GapCurve
    """The bunch behind the break until the Soum de Lèze."""
    favourites: GapCurve
    survivors: GapCurve
    favourites_dropped: GapCurve
    chase: GapCurve
    peloton: GapCurve
    """What is left of the bunch once the favourites and the grupetto have gone."""
    break_fade_km: float
    """Where the break's weaker men are dropped."""
    break_dropped: GapCurve


def front_curves(rng: random.Random, rt: Route, m: Marks) -> Curves:
    d = rt.distance_km
    end = d + AFTER_LINE_KM
    c1, c2, c3, c4 = rt.spec.climbs
    main = (
        CurveBuilder(rt, rt.x0, 0.0)
        .hold(m.break_km)
        .to(m.break_km + 3.0, 40.0)
        .to(m.break_km + 12.0, 150.0)
        .to(c1.foot_km, m.lead1)
        .by(c1.summit_km, 15.0, uphill)
        .to(c2.foot_km, m.lead_peak)
        .hold(end)
        .build()
    )
    fav = (
        CurveBuilder(rt, c2.foot_km, m.lead_peak)
        .by(c2.summit_km, -40.0, uphill)
        .by(c3.foot_km, -25.0, flat)
    )
    fav_curve = (
        fav.by(m.catch_km, -fav.gap, uphill)
        .hold(m.attack_km)
        .by(c4.summit_km, 0.7 * m.fav_final, uphill)
        .by(d, 0.3 * m.fav_final, flat)
        .hold(end)
        .build()
    )
    survivors = branch(rt, fav_curve, c4.foot_km + 1.0, rng.uniform(50.0, 80.0), terrain, d)
    fav_dropped = branch(rt, fav_curve, c4.foot_km + 2.5, rng.uniform(60.0, 100.0), terrain, d)
    chase = branch(rt, fav_curve, m.split3_km, rng.uniform(200.0, 330.0), terrain, d)
    peloton = branch(rt, main, c2.foot_km, rng.uniform(900.0, 1200.0) - m.lead_peak, terrain, d)
    break_fade_km = round(c3.foot_km + rng.uniform(1.0, 3.0), 2)
    break_dropped = (
        CurveBuilder(rt, break_fade_km, 0.0)
        .by(c3.summit_km, peloton(c3.summit_km), uphill)
        .follow(peloton)
        .build()
    )
    return Curves(
        main, fav_curve, survivors, fav_dropped, chase, peloton, break_fade_km, break_dropped
    )
