"""The mountain stage: a break, the favourites fighting it out on the last climbs, and a
grupetto of sprinters racing the time limit while a few riders fall outside it.

`build` tells the race phase by phase: the race at the front is in `front`, the race against the
time limit in `grupetto`. The phases that draw share the stage's generator, so the order of the
calls is the order of the draws: changing it changes every seed's stage.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from feeds.simulation.curves import GapCurve
from feeds.simulation.facts import ScenarioFacts
from feeds.simulation.roster import Roster
from feeds.simulation.route import Route
from feeds.simulation.scenarios.common import (
    Day,
    Finish,
    Legs,
    finish,
    grade_factor,
    label,
    make_groups,
    make_stage,
    news_at,
    places_by_strength,
    with_news,
)
from feeds.simulation.scenarios.courses import MOUNTAIN_START_T, roster, route
from feeds.simulation.scenarios.front import (
    Break,
    Curves,
    Favourites,
    Marks,
    front_curves,
    where,
    who_break,
    who_favourites,
)
from feeds.simulation.scenarios.grupetto import (
    FallOut,
    Grupetto,
    Pace,
    fall_out,
    grupetto_pace,
    projected_margins,
    who_grupetto,
)
from feeds.simulation.script import GroupKind, GroupSpec, Script, head_times
from race.models import Bib, RaceNews
from race.wording import clock, name_list

COEFFICIENT = 4


def build(seed: int) -> Script:
    """The mountain stage for a seed, one phase of the race after the other (see above on
    order)."""
    rng = random.Random(f"mountain:{seed}")
    ro, rt = roster(), route("mountain")
    cast = who(rng, ro)
    marks = where(rng, rt)
    head = head_pace(rt, marks)
    won = finish(rt, head, MOUNTAIN_START_T, COEFFICIENT)
    curves = front_curves(rng, rt, marks)
    pace = grupetto_pace(rng, rt, curves.main, won.cut_s)
    out = fall_out(rng, rt, cast.grupetto, pace.curve, won.cut_s)
    legs = itineraries(rt, cast, marks, curves, out)
    groups = make_groups(rt, head, group_curves(rt, curves, pace, out), legs)
    scores = places_by_strength(rng, ro, legs)
    stage = make_stage(
        11, "Oloron-Sainte-Marie", "Bagnères-de-Bigorre", "mountain", COEFFICIENT, rt
    )
    day = Day("mountain", seed, stage, ro, rt, MOUNTAIN_START_T, head, won)
    script = day.script(groups, legs, scores, facts(day, cast, marks, curves, pace, out, groups))
    return with_news(script, news(script, cast, marks, pace, out, won))


@dataclass(frozen=True)
class Cast:
    grupetto: Grupetto
    breakaway: Break
    favourites: Favourites
    peloton: tuple[Bib, ...]
    """Everyone else: the bunch that lets the favourites go on the Soum de Lèze."""


def who(rng: random.Random, ro: Roster) -> Cast:
    """Who: the grupetto and those who fall out of it, the break, then the favourites and the
    winner, each drawn from the riders not yet taken."""
    grupetto = who_grupetto(rng, ro)
    taken = {*grupetto.riders, *grupetto.outside}
    breakaway = who_break(rng, ro, taken)
    taken |= set(breakaway.riders)
    favourites = who_favourites(rng, ro, taken)
    taken |= set(favourites.front)
    peloton = tuple(sorted(b for b in (r.bib for r in ro.riders) if b not in taken))
    return Cast(grupetto, breakaway, favourites, peloton)


def head_pace(rt: Route, marks: Marks) -> tuple[float, ...]:
    """The head's passage times: fast until the break has its lead, steadier after, faster
    again once the favourites have caught it."""

    def speed(km: float, grad: float) -> float:
        v = 43.5 if km < marks.break_km + 10 else 40.0
        if km >= marks.catch_km:
            v *= 1.06
        return min(v * grade_factor(grad), 78.0)

    return head_times(rt, MOUNTAIN_START_T, speed)


def itineraries(rt: Route, cast: Cast, m: Marks, curves: Curves, out: FallOut) -> dict[Bib, Legs]:
    """Who rides in which group from which km. The order of the riders is that of the draws of
    their places in the bunch (`places_by_strength`)."""
    _, c2, c3, c4 = rt.spec.climbs
    crashed, fav = cast.grupetto.crashed, cast.favourites
    legs: dict[Bib, Legs] = {}
    for b in cast.peloton:
        legs[b] = ((-math.inf, "main"), (c2.foot_km, "peloton"))
    for b in cast.grupetto.riders:
        legs[b] = ((-math.inf, "main"), (c2.foot_km, "grupetto"))
    legs[crashed] = (
        (-math.inf, "main"),
        (c2.foot_km, "grupetto"),
        (out.crash_km, f"dropped-{crashed}"),
    )
    for b in cast.grupetto.fading:
        legs[b] = (
            (-math.inf, "main"),
            (c2.foot_km, "grupetto"),
            (out.fade_km[b], f"dropped-{b}"),
        )
    for b in cast.breakaway.riders:
        rider: Legs = ((-math.inf, "main"), (m.break_km, "break"))
        if b in cast.breakaway.survivors:
            rider += ((m.catch_km, "favourites"), (c4.foot_km + 1.0, "survivors"))
        else:
            rider += ((curves.break_fade_km, "break-dropped"), (c3.summit_km, "peloton"))
        legs[b] = rider
    for b in fav.front:
        rider = ((-math.inf, "main"), (c2.foot_km, "favourites"))
        if b in fav.chase:
            rider += ((m.split3_km, "chase"),)
        elif b == fav.winner:
            rider += ((m.attack_km, "winner"),)
        elif b in fav.dropped:
            rider += ((c4.foot_km + 2.5, "favourites-dropped"),)
        legs[b] = rider
    return legs


def group_curves(
    rt: Route, curves: Curves, pace: Pace, out: FallOut
) -> list[tuple[str, GroupKind, GapCurve]]:
    zero = GapCurve((rt.x0,), (0.0,))
    return [
        ("main", "bunch", curves.main),
        ("break", "break", zero),
        ("favourites", "bunch", curves.favourites),
        ("winner", "loose", zero),
        ("survivors", "break", curves.survivors),
        ("favourites-dropped", "break", curves.favourites_dropped),
        ("chase", "bunch", curves.chase),
        ("break-dropped", "break", curves.break_dropped),
        ("peloton", "bunch", curves.peloton),
        ("grupetto", "bunch", pace.curve),
        *out.curves,
    ]


def facts(
    day: Day,
    cast: Cast,
    marks: Marks,
    curves: Curves,
    pace: Pace,
    out: FallOut,
    groups: tuple[GroupSpec, ...],
) -> ScenarioFacts:
    rt, won = day.route, day.won
    d, c2 = rt.distance_km, rt.spec.climbs[1]
    cut, grupetto_curve = won.cut_s, pace.curve
    grupetto, outside = cast.grupetto.riders, cast.grupetto.outside
    fav = cast.favourites
    margin_ranges, projection = projected_margins(
        grupetto_curve, pace.usual, rt, cut, c2.foot_km, d
    )
    peak_km, peak_gap = curves.main.max_between(marks.break_km, c2.foot_km)
    finishers: dict[str, tuple[Bib, ...]] = {
        "winner": (fav.winner,),
        "favourites": fav.favourites,
        "survivors": cast.breakaway.survivors,
        "favourites-dropped": fav.dropped,
        "chase": fav.chase,
        "peloton": tuple(sorted({*cast.peloton, *cast.breakaway.dropped})),
        "grupetto": grupetto,
        **{f"dropped-{b}": (b,) for b in outside},
    }
    curve_of = {g.name: g.curve for g in groups}
    return ScenarioFacts(
        **day.facts(),
        break_riders=cast.breakaway.riders,
        break_km_to_go=round(d - marks.break_km, 2),
        break_peak_gap_s=round(peak_gap, 1),
        break_peak_km_to_go=round(d - peak_km, 1),
        catch_km_to_go=round(d - marks.catch_km, 2),
        winner=fav.winner,
        groups_at_finish=finishers,
        finish_gaps={
            name: round(0.0 if name == "winner" else curve_of[name](d), 1) for name in finishers
        },
        grupetto=grupetto,
        grupetto_finish_gap_s=round(grupetto_curve(d), 1),
        grupetto_margin_s=round(cut - grupetto_curve(d), 1),
        grupetto_climb_loss_s_per_km=round(pace.k * (7.0 - 1.0), 1),
        outside_cut={b: round(out.out_gap[b], 1) for b in outside},
        margin_ranges=margin_ranges,
        grupetto_projection=projection,
    )


def news(
    script: Script, cast: Cast, m: Marks, pace: Pace, out: FallOut, won: Finish
) -> list[RaceNews]:
    ro, d = script.roster, script.route.distance_km
    _, c2, c3, c4 = script.route.spec.climbs
    grupetto, outside, winner = cast.grupetto.riders, cast.grupetto.outside, cast.favourites.winner
    break_riders, survivors = cast.breakaway.riders, cast.breakaway.survivors
    crashed, together = cast.grupetto.crashed, cast.favourites.together
    cut, at_line = won.cut_s, pace.curve(d)
    at: Callable[[str, float], float] = script.group_time
    names = name_list([label(ro, b) for b in break_riders])
    return [
        news_at(
            script.head_time(m.break_km),
            f"A break of {len(break_riders)} goes clear at km {m.break_km:.1f}: {names}.",
            break_riders,
        ),
        news_at(
            at("grupetto", c2.foot_km + 2.0),
            f"The sprinters are dropped on the {c2.name}: "
            f"a grupetto of {len(grupetto) + len(outside)} riders forms.",
            grupetto,
        ),
        news_at(
            at("grupetto", out.crash_km),
            f"Crash on the descent of the {c2.name}: "
            f"{label(ro, crashed)} gets back on his bike, far behind the grupetto.",
            (crashed,),
            "crash",
        ),
        news_at(
            at("favourites", m.split3_km),
            f"Attacks among the favourites on the {c3.name}: "
            f"{len(together) + len(survivors)} riders left in front.",
            together,
        ),
        news_at(
            script.head_time(m.catch_km),
            f"The last of the break are caught {d - m.catch_km:.1f} km from the line.",
            survivors,
        ),
        news_at(
            script.head_time(m.attack_km),
            f"{label(ro, winner)} attacks on the {c4.name}, "
            f"{d - m.attack_km:.1f} km from the line.",
            (winner,),
        ),
        news_at(
            won.t,
            f"{label(ro, winner)} wins at Bagnères-de-Bigorre in "
            f"{clock(won.time_s)} ({won.speed_kmh:.1f} km/h): "
            f"time limit {won.limit_percent} %, "
            f"+{clock(cut)}.",
            (winner,),
            "finish",
        ),
        news_at(
            won.t + at_line,
            f"The grupetto finishes {clock(cut - at_line)} inside the time limit.",
            grupetto,
            "finish",
        ),
        *(
            news_at(
                won.t + out.out_gap[b],
                f"{label(ro, b)} finishes {clock(out.out_gap[b] - cut)} outside the time limit.",
                (b,),
                "finish",
            )
            for b in outside
        ),
    ]
