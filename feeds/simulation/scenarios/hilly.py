"""The hilly stage: a break of 30-35 riders fights out the stage while the peloton sits up. On
the climbs the break splits: two or three riders go clear, the strongest of the chase bridge
across, and a group of about ten sprints for the win. The peloton rolls in more than twelve
minutes down, a grupetto of sprinters later, and a sick sprinter and a crashed rider outside the
time limit.

Modelled on a Tour hilly stage of coefficient 2 (182 km, five categorised climbs). `build` tells
the race phase by phase (who, where and the gaps are in `breakaway`); the phases that draw share
the stage's generator, so the order of the calls is the order of the draws: changing it changes
every seed's stage.
"""

from __future__ import annotations

import math
import random

from feeds.simulation.curves import GapCurve
from feeds.simulation.facts import ScenarioFacts, Stretch
from feeds.simulation.route import Route
from feeds.simulation.scenarios.breakaway import Cast, Curves, Marks, gap_curves, where, who
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
    ramp,
    with_news,
)
from feeds.simulation.scenarios.courses import HILLY_START_T, roster, route
from feeds.simulation.script import GroupKind, GroupSprint, Script, head_times
from race.models import Bib, RaceNews
from race.wording import clock, name_list

COEFFICIENT = 2
SPRINT_LAUNCH_KM = 0.5
"""The winning group stops taking turns and lines out for the sprint 500 m from the line."""
FINALE_SPEED = ((-2.0, 44.5), (-0.5, 52.0), (0.0, 62.0))
"""The head's pace in the last 2 km, by km to go: the winning group winds up its sprint."""


def build(seed: int) -> Script:
    """The hilly stage for a seed, one phase of the race after the other (see above on order)."""
    rng = random.Random(f"hilly:{seed}")
    ro, rt = roster(), route("hilly")
    cast = who(rng, ro)
    marks = where(rng, rt)
    head = head_pace(rt, marks)
    won = finish(rt, head, HILLY_START_T, COEFFICIENT)
    curves = gap_curves(rng, rt, marks, won.cut_s)
    legs = itineraries(cast, marks)
    named = group_curves(rt, cast, curves)
    groups = make_groups(rt, head, named, legs)
    scores = places_by_strength(rng, ro, legs)
    sprint = group_sprint(rng, cast)
    stage = make_stage(8, "Pau", "Bayonne", "hilly", COEFFICIENT, rt)
    day = Day("hilly", seed, stage, ro, rt, HILLY_START_T, head, won)
    script = day.script(groups, legs, scores, facts(day, cast, marks, curves, named), sprint=sprint)
    return with_news(script, news(script, cast, marks, won))


def head_pace(rt: Route, m: Marks) -> tuple[float, ...]:
    """The head's passage times: fast while the break forms, steady while it rides together,
    faster once it splits, and the winding up of the sprint."""
    d = rt.distance_km

    def speed(km: float, grad: float) -> float:
        if km > d - 2.0:
            v = ramp(FINALE_SPEED, km - d)
        elif km >= m.split_km:
            v = 44.5
        else:
            v = 46.0 if km < m.break_km + 9.0 else 43.0
        return min(v * grade_factor(grad), 78.0)

    return head_times(rt, HILLY_START_T, speed)


def sick_group(cast: Cast) -> str:
    return f"dropped-{cast.sick}"


def crash_group(cast: Cast) -> str:
    return f"dropped-{cast.crashed[0]}"


def itineraries(cast: Cast, m: Marks) -> dict[Bib, Legs]:
    """Who rides in which group from which km. The order of the riders is that of the draws of
    their places in the bunch (`places_by_strength`)."""
    start: Legs = ((-math.inf, "peloton"),)
    legs: dict[Bib, Legs] = {b: start for b in cast.peloton}
    legs |= {b: (*start, (m.grupetto_km, "grupetto")) for b in cast.grupetto}
    legs |= {b: (*start, (m.sick_km, sick_group(cast))) for b in (cast.sick, *cast.waits)}
    legs |= {b: (*start, (m.crash_km, crash_group(cast))) for b in cast.crashed}
    for b in cast.break_riders:
        rider: Legs = (*start, (m.break_km, "break"))
        if b in cast.head:
            rider += ((m.split_km, "front"),)
        elif b in cast.bridgers:
            rider += ((m.split_km, "chase"), (m.bridge_km, "bridge"), (m.join_km, "front"))
        elif b in cast.chase_dropped:
            rider += ((m.split_km, "chase"), (m.chase_drop_km, "chase-dropped"))
        else:
            rider += ((m.split_km, "chase"),)
        legs[b] = rider
    return legs


def group_curves(rt: Route, cast: Cast, c: Curves) -> list[tuple[str, GroupKind, GapCurve]]:
    zero = GapCurve((rt.x0,), (0.0,))
    return [
        ("peloton", "bunch", c.peloton),
        ("break", "bunch", zero),
        ("front", "break", zero),
        ("chase", "bunch", c.chase),
        ("bridge", "break", c.bridge),
        ("chase-dropped", "break", c.chase_dropped),
        ("grupetto", "bunch", c.grupetto),
        (sick_group(cast), "loose", c.sick),
        (crash_group(cast), "loose", c.crash),
    ]


def group_sprint(rng: random.Random, cast: Cast) -> GroupSprint:
    """The winning group's sprint: the winner first, the others close behind, the last few
    already sitting up."""
    others = [b for b in cast.winning_group if b != cast.winner]
    rng.shuffle(others)
    gaps = [rng.uniform(0.4, 3.0) if k < 4 else rng.uniform(2.0, 8.0) for k in range(len(others))]
    return GroupSprint("front", SPRINT_LAUNCH_KM, (cast.winner, *others), (0.0, *gaps))


def facts(
    day: Day,
    cast: Cast,
    m: Marks,
    curves: Curves,
    named: list[tuple[str, GroupKind, GapCurve]],
) -> ScenarioFacts:
    d, won = day.route.distance_km, day.won
    curve_of = {name: curve for name, _, curve in named}
    finishers: dict[str, tuple[Bib, ...]] = {
        "front": cast.winning_group,
        "chase": cast.chase,
        "chase-dropped": cast.chase_dropped,
        "peloton": cast.peloton,
        "grupetto": cast.grupetto,
        sick_group(cast): (cast.sick, *cast.waits),
        crash_group(cast): cast.crashed,
    }
    finish_gaps = {name: round(curve_of[name](d), 1) for name in finishers}
    gap_of = {b: finish_gaps[name] for name, bibs in finishers.items() for b in bibs}
    forms = {
        "peloton": 0.0,
        "chase": m.split_km,
        "chase-dropped": m.chase_drop_km,
        "grupetto": m.grupetto_km,
        sick_group(cast): m.sick_km,
        crash_group(cast): m.crash_km,
    }
    peak_km, peak_gap = curves.peloton.max_between(m.break_km, m.split_km)
    return ScenarioFacts(
        **day.facts(),
        break_riders=cast.break_riders,
        break_km_to_go=round(d - m.break_km, 2),
        break_peak_gap_s=round(peak_gap, 1),
        break_peak_km_to_go=round(d - peak_km, 1),
        catch_km_to_go=round(d - m.join_km, 2),
        winner=cast.winner,
        groups_at_finish=finishers,
        finish_gaps=finish_gaps,
        grupetto=cast.grupetto,
        grupetto_finish_gap_s=finish_gaps["grupetto"],
        grupetto_margin_s=round(won.cut_s - curves.grupetto(d), 1),
        outside_cut={b: gap for b, gap in gap_of.items() if gap > won.cut_s},
        head=Stretch(cast.head, round(d - m.split_km, 2), round(d - m.join_km, 2)),
        chase=Stretch(
            tuple(sorted((*cast.bridgers, *cast.chase, *cast.chase_dropped))),
            round(d - m.split_km, 2),
            0.0,
        ),
        bridge=Stretch(cast.bridgers, round(d - m.bridge_km, 2), round(d - m.join_km, 2)),
        winning_group=cast.winning_group,
        stragglers={b: gap_of[b] for b in cast.stragglers},
        scripted_gaps={
            name: tuple(
                (float(k), round(curve_of[name](d - k), 1))
                for k in range(math.floor(d - km), -1, -1)
            )
            for name, km in forms.items()
        },
    )


def news(script: Script, cast: Cast, m: Marks, won: Finish) -> list[RaceNews]:
    ro, d = script.roster, script.route.distance_km
    _, c2, c3, c4, c5 = script.route.spec.climbs
    at = script.group_time
    group = cast.winning_group
    sick, crashed, waits = cast.sick, cast.crashed, cast.waits
    cut, peloton_at_line = won.cut_s, at("peloton", d) - won.t
    sat_up = at("peloton", m.sat_km) - script.head_time(m.sat_km)
    names = name_list([label(ro, b) for b in cast.break_riders], limit=6)
    waiting = f"; teammate {label(ro, waits[0])} waits for him" if waits else ""
    return [
        news_at(
            script.head_time(m.break_km),
            f"A break of {len(cast.break_riders)} goes clear at km {m.break_km:.1f}: {names}.",
            cast.break_riders,
        ),
        news_at(
            at(sick_group(cast), m.sick_km),
            f"{label(ro, sick)} is dropped on the {c2.name}, ill{waiting}.",
            (sick, *waits),
        ),
        news_at(
            at(crash_group(cast), m.crash_km),
            f"Crash on the descent of the {c3.name}: "
            f"{name_list([label(ro, b) for b in crashed])} "
            f"{'get back on their bikes' if len(crashed) > 1 else 'gets back on his bike'}, hurt.",
            crashed,
            "crash",
        ),
        news_at(
            at("peloton", m.sat_km),
            f"The peloton has sat up: the break is {clock(sat_up)} ahead.",
            cast.break_riders,
        ),
        news_at(
            at("grupetto", m.grupetto_km + 1.0),
            f"The sprinters are dropped on the {c4.name}: "
            f"a grupetto of {len(cast.grupetto)} riders forms.",
            cast.grupetto,
        ),
        news_at(
            script.head_time(m.split_km),
            f"{name_list([label(ro, b) for b in cast.head])} attack the break on the {c4.name}, "
            f"{d - m.split_km:.1f} km from the line.",
            cast.head,
        ),
        news_at(
            at("bridge", m.bridge_km),
            f"The break explodes on the {c5.name}: {len(cast.bridgers)} riders go after the "
            "leaders.",
            cast.bridgers,
        ),
        news_at(
            script.head_time(m.join_km),
            f"The leaders are caught {d - m.join_km:.1f} km from the line: "
            f"{len(group)} riders together in front.",
            group,
        ),
        news_at(
            won.t,
            f"{label(ro, cast.winner)} wins the sprint of {len(group)} in Bayonne in "
            f"{clock(won.time_s)} ({won.speed_kmh:.1f} km/h): time limit {won.limit_percent} %, "
            f"+{clock(cut)}.",
            (cast.winner,),
            "finish",
        ),
        news_at(
            won.t + peloton_at_line,
            f"The peloton finishes {clock(peloton_at_line)} down.",
            cast.peloton,
            "finish",
        ),
        *(
            news_at(
                won.t + gap,
                f"{label(ro, b)} finishes {clock(gap - cut)} outside the time limit.",
                (b,),
                "finish",
            )
            for b, gap in script.facts.stragglers.items()
        ),
    ]
