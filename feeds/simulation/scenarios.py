"""The two scripted stages: a flat stage ending in a bunch sprint, and a mountain stage with a
grupetto racing the time limit. A seed draws who does what, and where; the story stays the same.

Times are those of the head of the race: its speed follows the gradient and the phase of the
race (the break, the chase, the sprint), and every group is placed by its scripted passage-time
gap (`curves`), so the gaps in the frames are exactly the scripted ones.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone

from feeds.simulation.curves import (
    CurveBuilder,
    GapCurve,
    branch,
    flat,
    terrain,
    uphill,
)
from feeds.simulation.facts import (
    MarginRange,
    ScenarioFacts,
    WheelLoss,
    limit_percent,
    margin_status,
)
from feeds.simulation.roster import Roster, build_roster
from feeds.simulation.route import AFTER_LINE_KM, ClimbSpec, Route, RouteSpec, build_route
from feeds.simulation.script import (
    NEUTRAL_KMH,
    Finale,
    GroupKind,
    GroupSpec,
    Script,
    check_monotonic,
    group_times,
    head_times,
    time_at,
)
from race.models import Bib, NewsCategory, RaceNews, Stage
from race.text import clock

RACE = "Tour de l'Ardoise"
YEAR = 2026
NEUTRAL_S = 480.0
"""The neutralised start lasts 8 minutes, as on a Tour stage leaving a town centre."""
_CEST = timezone(timedelta(hours=2))
FLAT_START_T = datetime(2026, 7, 8, 13, 15, tzinfo=_CEST).timestamp()
"""Km 0 of the flat stage: Wednesday 8 July 2026, 13:15 in Mont-de-Marsan."""
MOUNTAIN_START_T = datetime(2026, 7, 15, 12, 10, tzinfo=_CEST).timestamp()
"""Km 0 of the mountain stage: Wednesday 15 July 2026, 12:10 in Oloron-Sainte-Marie."""

_NEUTRAL_KM = NEUTRAL_S * NEUTRAL_KMH / 3600

FLAT_ROUTE = RouteSpec(
    distance_km=172.6,
    waypoints=(
        (43.8936, -0.4999),  # Mont-de-Marsan
        (43.8883, -0.3080),  # Villeneuve-de-Marsan
        (43.7020, -0.2620),  # Aire-sur-l'Adour
        (43.6380, -0.3750),  # Geaune
        (43.6580, -0.5910),  # Hagetmau
        (43.4880, -0.7710),  # Orthez
        (43.4740, -0.9250),  # Salies-de-Béarn
        (43.5460, -1.1060),  # Peyrehorade
        (43.6040, -1.0010),  # Pouillon
        (43.7102, -1.0536),  # Dax
    ),
    altitude=(
        (0.0, 42.0),
        (20.0, 78.0),
        (35.0, 92.0),
        (50.0, 112.0),
        (58.0, 122.0),
        (60.4, 228.0),
        (66.0, 150.0),
        (80.0, 132.0),
        (95.0, 165.0),
        (105.0, 118.0),
        (117.8, 88.0),
        (119.4, 170.0),
        (126.0, 72.0),
        (140.0, 48.0),
        (152.0, 28.0),
        (172.6, 14.0),
    ),
    climbs=(
        ClimbSpec("Côte de Lacajunte-Haut", "4", 58.0, 60.4),
        ClimbSpec("Côte de Castétarbe", "4", 117.8, 119.4),
    ),
    neutral_km=_NEUTRAL_KM,
    rolling_m=7.0,
    flat_finish_km=12.0,
)

MOUNTAIN_ROUTE = RouteSpec(
    distance_km=158.4,
    waypoints=(
        (43.1942, -0.6067),  # Oloron-Sainte-Marie
        (43.1060, -0.4260),  # Arudy
        (42.9881, -0.4253),  # Laruns
        (42.9597, -0.2075),  # Arrens-Marsous
        (43.0033, -0.0989),  # Argelès-Gazost
        (42.8728, -0.0019),  # Luz-Saint-Sauveur
        (42.8978, 0.0650),  # Barèges
        (42.9106, 0.1811),  # La Mongie
        (42.9860, 0.2280),  # Sainte-Marie-de-Campan
        (43.0160, 0.1780),  # Campan
        (43.0200, 0.1000),  # over the last col
        (43.0653, 0.1494),  # Bagnères-de-Bigorre
    ),
    altitude=(
        (0.0, 224.0),
        (28.0, 420.0),
        (33.2, 701.0),
        (42.0, 380.0),
        (54.4, 520.0),
        (66.0, 1344.0),
        (82.0, 560.0),
        (88.2, 640.0),
        (103.4, 1795.0),
        (120.0, 720.0),
        (129.6, 780.0),
        (136.4, 1208.0),
        (150.5, 580.0),
        (158.4, 551.0),
    ),
    climbs=(
        ClimbSpec("Côte de Berdets", "3", 28.0, 33.2),
        ClimbSpec("Col du Soum de Lèze", "1", 54.4, 66.0),
        ClimbSpec("Col de la Hourquette d'Ardoise", "HC", 88.2, 103.4),
        ClimbSpec("Col de Peyre-Blanque", "2", 129.6, 136.4),
    ),
    neutral_km=_NEUTRAL_KM,
    rolling_m=10.0,
)

SCENARIOS: tuple[str, ...] = ("flat", "mountain")


@functools.cache
def roster() -> Roster:
    """The shared start list (the same riders on every simulated stage)."""
    return build_roster()


@functools.cache
def route(scenario: str) -> Route:
    return build_route(FLAT_ROUTE if scenario == "flat" else MOUNTAIN_ROUTE)


@functools.lru_cache(maxsize=8)
def build_script(scenario: str, seed: int) -> Script:
    """The plan of a stage for a scenario and a seed (cached: it is pure and immutable)."""
    if scenario == "flat":
        return _flat(seed)
    if scenario == "mountain":
        return _mountain(seed)
    raise ValueError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")


def scenario_facts(scenario: str, seed: int) -> ScenarioFacts:
    """The ground truth of a simulated stage, without generating its frames."""
    return build_script(scenario, seed).facts


# --- shared helpers -----------------------------------------------------------------------------


def grade_factor(grad: float) -> float:
    """Speed relative to the flat on a gradient: about -7 % per 1 %, 21 km/h on 7.5 % for a
    44 km/h rider; descents faster, up to +60 % (60 km/h and more on a 6 % descent)."""
    if grad >= 0:
        return 1.0 / (1.0 + 0.062 * grad + 0.011 * grad * grad)
    return min(1.0 + 0.08 * -grad, 1.6)


def _ramp(points: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear lookup in (x, y) points sorted by x, constant outside."""
    if x <= points[0][0]:
        return points[0][1]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        if x <= x2:
            return y1 + (y2 - y1) * (x - x1) / (x2 - x1)
    return points[-1][1]


def _stage(number: int, start: str, finish: str, kind: str, coefficient: int, rt: Route) -> Stage:
    return Stage(
        race=RACE,
        year=YEAR,
        number=number,
        start=start,
        finish=finish,
        distance_km=rt.distance_km,
        type="flat" if kind == "flat" else "mountain",
        coefficient=coefficient,
        timezone="Europe/Paris",
        profile=rt.profile(every_km=0.1),
        climbs=rt.climbs(),
    )


def _groups(
    rt: Route,
    head: tuple[float, ...],
    specs: Sequence[tuple[str, GroupKind, GapCurve]],
    itineraries: Mapping[Bib, tuple[tuple[float, str], ...]],
) -> tuple[GroupSpec, ...]:
    """Compile the groups and check that each rides forwards wherever it has riders."""
    out = tuple(
        GroupSpec(name, kind, curve, group_times(rt, head, curve)) for name, kind, curve in specs
    )
    first_km = {g.name: math.inf for g in out}
    for legs in itineraries.values():
        for km, name in legs:
            first_km[name] = min(first_km[name], max(km, rt.x0))
    for g in out:
        check_monotonic(rt, g, first_km[g.name])
    return out


def _who(ro: Roster, bib: Bib) -> str:
    r = ro.rider(bib)
    return f"#{bib} {r.short_name} ({r.team})"


def _news(
    t: float, text: str, riders: Sequence[Bib] = (), category: NewsCategory = "commentary"
) -> RaceNews:
    return RaceNews(t=round(t, 1), category=category, text=text, riders=tuple(riders))


def _pick(rng: random.Random, pool: Sequence[Bib], weights: Sequence[float]) -> Bib:
    return rng.choices(list(pool), weights=list(weights))[0]


# --- the flat stage -----------------------------------------------------------------------------


def _flat(seed: int) -> Script:
    rng = random.Random(f"flat:{seed}")
    ro = roster()
    rt = route("flat")
    d = rt.distance_km
    end = d + AFTER_LINE_KM
    riders_by_team = {t.code: [r for r in ro.riders if r.team == t.code] for t in ro.teams}
    sprint_teams = set(ro.sprint_teams)
    others = [t.code for t in ro.teams if t.code not in sprint_teams]

    # Who: the break, the puncture, the order of the trains, the wheel loss, the winner.
    break_teams = rng.sample(others, rng.choice((2, 3, 3, 4)))
    break_riders = tuple(
        sorted(
            rng.choice(
                [
                    r.bib
                    for r in riders_by_team[team]
                    if r.role in ("domestique", "climber") and r.bib not in ro.jerseys
                ]
            )
            for team in break_teams
        )
    )
    puncture_team = rng.choice([t for t in others if t not in break_teams])
    punctured, helper = rng.sample(
        [
            r.bib
            for r in riders_by_team[puncture_team]
            if r.role in ("domestique", "climber") and r.bib not in ro.jerseys
        ],
        2,
    )
    order = tuple(rng.sample(list(ro.sprint_teams), len(ro.sprint_teams)))
    trains = tuple(ro.trains[code] for code in order)
    lost_k = rng.choice(range(len(order) - 1))
    lost_team = order[lost_k]
    lost_sprinter, lost_leadout = trains[lost_k][-1], trains[lost_k][-2]
    intruders = trains[lost_k + 1][: rng.choice((2, 3))]
    candidates = [trains[k][-1] for k in range(4) if k != lost_k]
    winner = _pick(rng, candidates, [0.4, 0.28, 0.2, 0.12][: len(candidates)])

    # Where: the break goes, peaks, is caught; the puncture; the wheel loss.
    break_km = round(rng.uniform(1.5, 8.5), 2)
    catch_to_go = round(rng.uniform(10.6, 14.4), 2)
    catch_km = d - catch_to_go
    peak = round(rng.uniform(185.0, 295.0))
    peak_km = round(rng.uniform(50.0, 72.0), 1)
    drift = rng.uniform(0.0, 25.0)
    chapatte = rng.uniform(62.0, 82.0)  # s per 10 km while the peloton chases
    fall_km = catch_km - (peak - drift) / chapatte * 10
    puncture_km = round(rng.uniform(d - 58.0, d - 32.0), 1)
    loss_km = round(rng.uniform(1.12, 1.28), 2)
    loss_over = 0.15
    loss_gap = round(rng.uniform(16.0, 28.0), 1)

    # The break's pace until the catch, then the finale's, by km to go: 50-55 km/h at 5 km,
    # 60-65 at 1 km, 70 at 200 m.
    finale_speed = [
        (-12.0, 46.5),
        (-10.0, 48.0),
        (-5.0, 53.0),
        (-1.0, 62.5),
        (-0.2, 69.0),
        (0.0, 71.0),
    ]

    def speed(km: float, grad: float) -> float:
        v = 44.3 if km < catch_km else _ramp(finale_speed, km - d)
        return min(v * grade_factor(grad), 78.0)

    head = head_times(rt, FLAT_START_T, speed)

    peloton = (
        CurveBuilder(rt, rt.x0, 0.0)
        .hold(break_km)
        .to(break_km + 2.5, rng.uniform(20.0, 35.0))
        .to(break_km + 9.0, rng.uniform(80.0, 110.0))
        .to(peak_km, peak)
        .to(peak_km + 15.0, peak - drift * 0.4)
        .to(fall_km, peak - drift)
        .to(catch_km, 0.0)
        .hold(end)
        .build()
    )
    stop = rng.uniform(22.0, 35.0)
    dropped = branch(rt, peloton, puncture_km, rng.uniform(130.0, 230.0), flat, d, stop_s=stop)
    zero = GapCurve((rt.x0,), (0.0,))
    itineraries: dict[Bib, tuple[tuple[float, str], ...]] = {}
    for r in ro.riders:
        legs: tuple[tuple[float, str], ...] = ((-math.inf, "peloton"),)
        if r.bib in break_riders:
            legs += ((break_km, "break"), (catch_km, "peloton"))
        elif r.bib in (punctured, helper):
            legs += ((puncture_km, "dropped"),)
        itineraries[r.bib] = legs
    groups = _groups(
        rt,
        head,
        [("peloton", "peloton", peloton), ("break", "break", zero), ("dropped", "loose", dropped)],
        itineraries,
    )

    scores: dict[Bib, tuple[tuple[float, float], ...]] = {}
    for r in ro.riders:
        if r.bib in break_riders:
            scores[r.bib] = (
                (-math.inf, rng.uniform(0.02, 0.12)),
                (catch_km, rng.uniform(0.7, 0.95)),
            )
        elif r.bib in (punctured, helper):
            scores[r.bib] = ((-math.inf, rng.uniform(0.75, 0.98)),)
        elif r.role == "leader" or r.bib in ro.jerseys:
            scores[r.bib] = ((-math.inf, rng.uniform(0.05, 0.35)),)
        elif r.team in sprint_teams:
            scores[r.bib] = ((-math.inf, rng.uniform(0.1, 0.6)),)
        else:
            scores[r.bib] = ((-math.inf, rng.uniform(0.1, 1.0)),)

    first_train = trains[0]
    peelers = first_train[:-2]
    peels = {
        b: round(3.0 - i * (2.25 / max(len(peelers) - 1, 1)), 2) for i, b in enumerate(peelers)
    }
    others_in_sprint = [t[-1] for t in trains if t[-1] not in (winner, lost_sprinter)]
    others_in_sprint.sort(key=lambda b: order.index(ro.team_of(b)) + rng.gauss(0.0, 1.2))
    finish_order = (winner, *others_in_sprint)
    sit_up: dict[Bib, float] = {}
    for k, train in enumerate(trains):
        for b in train[:-1]:
            last_man = b == train[-2]
            sit_up[b] = rng.uniform(5.0, 11.0) if last_man else rng.uniform(10.0, 25.0)
        if k == lost_k:
            sit_up[train[-1]] = sit_up[train[-2]]
    for b in intruders:
        sit_up[b] = rng.uniform(4.0, 10.0)
    wheel_loss = WheelLoss(
        team=lost_team,
        sprinter=lost_sprinter,
        leadout=lost_leadout,
        km_to_go=loss_km,
        opens_over_m=loss_over * 1000,
        gap_m=loss_gap,
        intruders=tuple(intruders),
    )
    finale = Finale(
        trains=trains,
        arrive_km=tuple(round(14.0 - 0.45 * k, 2) for k in range(len(trains))),
        move_up_km=15.0,
        block_km=10.0,
        spacing_m={b: rng.uniform(1.2, 1.7) for t in trains for b in t},
        train_gap_m=tuple(rng.uniform(2.5, 5.0) for _ in trains),
        peels=peels,
        wheel_loss=wheel_loss,
        release_km=0.22,
        finish_order=finish_order,
        finish_gaps_m=(0.0, *(rng.uniform(0.3, 2.5) for _ in finish_order[1:])),
        sit_up_m=sit_up,
    )

    winner_t = time_at(rt, head, d)
    winner_time = winner_t - FLAT_START_T
    v_win = d / winner_time * 3600
    pct = limit_percent(1, v_win)
    stage = _stage(4, "Mont-de-Marsan", "Dax", "flat", 1, rt)
    peloton_at_finish = tuple(sorted(b for b in itineraries if b not in (punctured, helper)))
    facts = ScenarioFacts(
        scenario="flat",
        seed=seed,
        stage_name=stage.name,
        distance_km=d,
        coefficient=1,
        neutral_start_t=FLAT_START_T - NEUTRAL_S,
        start_t=FLAT_START_T,
        sprint_teams=ro.sprint_teams,
        sprinters={c: t[-1] for c, t in ro.trains.items()},
        trains=ro.trains,
        jerseys=ro.jerseys,
        break_riders=break_riders,
        break_km_to_go=round(d - break_km, 2),
        break_peak_gap_s=float(peak),
        break_peak_km_to_go=round(d - peak_km, 1),
        catch_km_to_go=catch_to_go,
        winner=winner,
        winner_time_s=round(winner_time, 1),
        winner_finish_t=round(winner_t, 1),
        winner_speed_kmh=round(v_win, 2),
        limit_percent=pct,
        cut_s=round(winner_time * pct / 100, 1),
        groups_at_finish={
            "peloton": peloton_at_finish,
            "dropped": tuple(sorted((punctured, helper))),
        },
        finish_gaps={"peloton": 0.0, "dropped": round(dropped(d), 1)},
        train_order=order,
        wheel_loss=wheel_loss,
        dropped=tuple(sorted((punctured, helper))),
    )
    script = Script(
        scenario="flat",
        seed=seed,
        stage=stage,
        roster=ro,
        route=rt,
        neutral_start_t=FLAT_START_T - NEUTRAL_S,
        start_t=FLAT_START_T,
        head_times=head,
        winner_t=winner_t,
        groups=groups,
        itineraries=itineraries,
        scores=scores,
        finale=finale,
        news=(),
        facts=facts,
    )

    def at(km: float, group: str = "peloton") -> float:
        return script.group_time(group, km)

    names = ", ".join(_who(ro, b) for b in break_riders)
    news = [
        _news(
            script.head_time(break_km),
            f"{len(break_riders)} riders go clear at km {break_km:.1f}: {names}.",
            break_riders,
        ),
        _news(
            at(peak_km),
            f"The break's lead peaks at {clock(peak)} with {d - peak_km:.0f} km to go.",
            break_riders,
        ),
        _news(
            at(puncture_km),
            f"Puncture for {_who(ro, punctured)}; teammate {_who(ro, helper)} waits for him.",
            (punctured, helper),
            "puncture",
        ),
        _news(
            script.head_time(catch_km),
            f"The break is caught with {catch_to_go:.1f} km to go.",
            break_riders,
        ),
        _news(
            script.head_time(d - 10.0), f"The sprint trains are at the front: {' › '.join(order)}."
        ),
        _news(
            script.head_time(d - loss_km),
            f"{_who(ro, lost_sprinter)} loses the wheel of "
            f"{_who(ro, lost_leadout)} with {loss_km:.1f} km to go!",
            (lost_sprinter, lost_leadout),
        ),
        _news(winner_t, f"{_who(ro, winner)} wins the stage in Dax.", (winner,), "finish"),
    ]
    return _with_news(script, news)


def _with_news(script: Script, news: Sequence[RaceNews]) -> Script:
    return dataclasses.replace(script, news=tuple(sorted(news, key=lambda n: n.t)))


# --- the mountain stage -------------------------------------------------------------------------


def _mountain(seed: int) -> Script:
    rng = random.Random(f"mountain:{seed}")
    ro = roster()
    rt = route("mountain")
    d = rt.distance_km
    end = d + AFTER_LINE_KM
    c1, c2, c3, c4 = rt.spec.climbs
    strength = ro.strength
    sprint_teams = set(ro.sprint_teams)

    # Who: the grupetto (sprinters and most lead-out men), those who fall out of it, the break,
    # the favourites and the winner.
    sprinters = [r.bib for r in ro.riders if r.role == "sprinter"]
    leadouts = [r.bib for r in ro.riders if r.role == "leadout"]
    sprint_leadouts = [b for b in leadouts if ro.team_of(b) in sprint_teams]
    crashed = rng.choice(sprint_leadouts)
    wanted = math.ceil(0.58 * len(leadouts))
    other_leadouts = [b for b in leadouts if b not in sprint_leadouts]
    extra_leadouts = rng.sample(other_leadouts, max(wanted - len(sprint_leadouts) + 1, 0))
    domestiques = [r.bib for r in ro.riders if r.role == "domestique" and r.bib not in ro.jerseys]
    fading = rng.sample(domestiques, rng.choice((1, 2)))
    grupetto_domestiques = rng.sample(
        [b for b in domestiques if b not in fading], rng.choice((0, 1, 2))
    )
    outside = (crashed, *fading)
    grupetto = tuple(
        sorted({*sprinters, *sprint_leadouts, *extra_leadouts, *grupetto_domestiques} - {crashed})
    )
    taken = {*grupetto, *outside}

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
    break_riders = tuple(sorted(break_riders_l))
    survivors = tuple(
        sorted(sorted(break_riders, key=lambda b: -strength[b])[: rng.choice((2, 3))])
    )
    break_dropped = tuple(b for b in break_riders if b not in survivors)
    taken |= set(break_riders)

    front = [r.bib for r in ro.riders if r.role in ("leader", "climber") and r.bib not in taken]
    front.sort(key=lambda b: -strength[b] - rng.uniform(0.0, 0.08))
    favourites_all = front[: rng.randint(9, 12)]
    chase = tuple(sorted(front[len(favourites_all) :]))
    winner = _pick(rng, favourites_all[:6], [0.3, 0.22, 0.18, 0.12, 0.1, 0.08])
    fav_rest = [b for b in favourites_all if b != winner]
    fav_dropped = tuple(sorted(fav_rest[-rng.randint(3, 5) :]))
    favourites = tuple(sorted(b for b in fav_rest if b not in fav_dropped))
    taken |= set(front)
    peloton = tuple(sorted(b for b in (r.bib for r in ro.riders) if b not in taken))

    # Where, and how much.
    break_km = round(rng.uniform(6.0, 14.0), 2)
    lead1 = rng.uniform(170.0, 230.0)
    lead_peak = rng.uniform(270.0, 360.0)
    catch_km = round(c3.summit_km - rng.uniform(0.6, 2.4), 2)
    split3_km = c3.foot_km + rng.uniform(5.0, 7.5)
    attack_km = round(c4.summit_km - rng.uniform(2.5, 4.5), 2)
    fav_final = rng.uniform(25.0, 55.0)

    def speed(km: float, grad: float) -> float:
        v = 43.5 if km < break_km + 10 else 40.0
        if km >= catch_km:
            v *= 1.06
        return min(v * grade_factor(grad), 78.0)

    head = head_times(rt, MOUNTAIN_START_T, speed)
    winner_t = time_at(rt, head, d)
    winner_time = winner_t - MOUNTAIN_START_T
    v_win = d / winner_time * 3600
    pct = limit_percent(4, v_win)
    cut = winner_time * pct / 100

    # The gap curves, from the head of the race (the break, then the favourites, the winner).
    zero = GapCurve((rt.x0,), (0.0,))
    p_curve = (
        CurveBuilder(rt, rt.x0, 0.0)
        .hold(break_km)
        .to(break_km + 3.0, 40.0)
        .to(break_km + 12.0, 150.0)
        .to(c1.foot_km, lead1)
        .by(c1.summit_km, 15.0, uphill)
        .to(c2.foot_km, lead_peak)
        .hold(end)
        .build()
    )
    fav = (
        CurveBuilder(rt, c2.foot_km, lead_peak)
        .by(c2.summit_km, -40.0, uphill)
        .by(c3.foot_km, -25.0, flat)
    )
    fav_curve = (
        fav.by(catch_km, -fav.gap, uphill)
        .hold(attack_km)
        .by(c4.summit_km, 0.7 * fav_final, uphill)
        .by(d, 0.3 * fav_final, flat)
        .hold(end)
        .build()
    )
    survivors_curve = branch(rt, fav_curve, c4.foot_km + 1.0, rng.uniform(50.0, 80.0), terrain, d)
    fav_dropped_curve = branch(
        rt, fav_curve, c4.foot_km + 2.5, rng.uniform(60.0, 100.0), terrain, d
    )
    chase_curve = branch(rt, fav_curve, split3_km, rng.uniform(200.0, 330.0), terrain, d)
    peloton_curve = branch(
        rt, p_curve, c2.foot_km, rng.uniform(900.0, 1200.0) - lead_peak, terrain, d
    )
    break_fade_km = round(c3.foot_km + rng.uniform(1.0, 3.0), 2)
    break_dropped_curve = (
        CurveBuilder(rt, break_fade_km, 0.0)
        .by(c3.summit_km, peloton_curve(c3.summit_km), uphill)
        .follow(peloton_curve)
        .build()
    )

    # The grupetto. The sprinters get over the Côte de Berdets in the bunch and are dropped at
    # the foot of the Soum de Lèze. From there the group rides at its own pace: it loses time to
    # the head on every climb in proportion to the gradient (Degenkolb's rule of thumb, about a
    # minute per km on a big climb), regains a little on the descents, drifts on the flat. On
    # the last climb it is in crisis (the favourites race for the stage ahead): it loses more
    # than its usual pace there and falls into danger; it then chases flat out on the descent
    # and the run-in, and finishes inside with a little to spare. What a projection that knows
    # its usual pace would say (`_projected_margins`) goes safe (in the bunch), tight (from the
    # foot of the Soum de Lèze), danger (on the last climb), tight again (in the chase).
    m_before4 = rng.uniform(190.0, 240.0)  # projected margin at the last foot, before the crisis
    m_top4 = rng.uniform(60.0, 95.0)  # projected margin at the last summit, before the chase
    m_final = rng.uniform(140.0, 175.0)  # margin at the line
    # Four draws from the stage's generator, as the script always made here, so that the rest
    # of the story (the crash, the riders who fade) stays the same for a seed.
    pace = random.Random(rng.random())
    # The group's pace on each big climb against its usual pace (a good day, a bad one).
    form = {c2.name: pace.uniform(0.97, 1.03), c3.name: pace.uniform(0.97, 1.03)}
    regain = pace.uniform(0.8, 1.2)  # s regained per km and per % of descent above 1.5 %
    drift = pace.uniform(0.5, 1.5)  # s lost per km whatever the road
    chase_s = m_final - m_top4  # regained over the usual pace from the last summit to the line
    crisis_s = m_before4 - m_top4  # lost over the usual pace on the last climb
    g_form = p_curve(c2.foot_km)
    stretches = (
        (c2.foot_km, c2.summit_km, form[c2.name]),
        (c2.summit_km, c3.foot_km, 1.0),
        (c3.foot_km, c3.summit_km, form[c3.name]),
        (c3.summit_km, c4.foot_km, 1.0),
        (c4.foot_km, c4.summit_km, 1.0),
        (c4.summit_km, d, 1.0),
    )
    # The usual pace loses k s per km and per % of gradient above 1 %: solve k for the margin
    # at the line (every other term is fixed above).
    climbing = sum(f * _integral(rt, a, b, _climb_load) for a, b, f in stretches)
    other = sum(
        f * _integral(rt, a, b, lambda gr: drift - regain * _descent_load(gr))
        for a, b, f in stretches
    )
    k = (cut - m_final - g_form - other - crisis_s + chase_s) / climbing
    load4 = _integral(rt, c4.foot_km, c4.summit_km, _climb_load)

    def usual(grad: float) -> float:
        return k * _climb_load(grad) + drift - regain * _descent_load(grad)

    def on(factor: float) -> Callable[[float], float]:
        return lambda grad: factor * usual(grad)

    chase_per_km = chase_s / (d - c4.summit_km)
    g = CurveBuilder(rt, c2.foot_km, g_form)
    for _, b, f in stretches[:4]:
        g.ride(b, on(f))
    g.ride(c4.summit_km, lambda grad: usual(grad) + crisis_s * _climb_load(grad) / load4)
    g.ride(d, lambda grad: usual(grad) - chase_per_km)
    grupetto_curve = g.hold(end).build()

    crash_km = round(rng.uniform(c2.summit_km + 3.0, c2.summit_km + 12.0), 2)
    crash_stop = rng.uniform(100.0, 160.0)
    out_gap = {crashed: cut + rng.uniform(150.0, 420.0)}
    crash_curve = branch(
        rt,
        grupetto_curve,
        crash_km,
        out_gap[crashed] - crash_stop - grupetto_curve(d),
        terrain,
        d,
        stop_s=crash_stop,
    )
    out_curves: list[tuple[str, GroupKind, GapCurve]] = [
        (f"dropped-{crashed}", "loose", crash_curve)
    ]
    fade_km: dict[Bib, float] = {}
    for i, b in enumerate(fading):
        climb = c3 if i == 0 else c2
        fade_km[b] = round(rng.uniform(climb.foot_km + 2.0, climb.summit_km - 3.0), 2)
        out_gap[b] = cut + rng.uniform(300.0, 720.0)
        curve = branch(rt, grupetto_curve, fade_km[b], out_gap[b] - grupetto_curve(d), terrain, d)
        out_curves.append((f"dropped-{b}", "loose", curve))

    itineraries: dict[Bib, tuple[tuple[float, str], ...]] = {}
    for b in peloton:
        itineraries[b] = ((-math.inf, "main"), (c2.foot_km, "peloton"))
    for b in grupetto:
        itineraries[b] = ((-math.inf, "main"), (c2.foot_km, "grupetto"))
    itineraries[crashed] = (
        (-math.inf, "main"),
        (c2.foot_km, "grupetto"),
        (crash_km, f"dropped-{crashed}"),
    )
    for b in fading:
        itineraries[b] = (
            (-math.inf, "main"),
            (c2.foot_km, "grupetto"),
            (fade_km[b], f"dropped-{b}"),
        )
    Legs = tuple[tuple[float, str], ...]
    for b in break_riders:
        legs: Legs = ((-math.inf, "main"), (break_km, "break"))
        if b in survivors:
            legs += ((catch_km, "favourites"), (c4.foot_km + 1.0, "survivors"))
        else:
            legs += ((break_fade_km, "break-dropped"), (c3.summit_km, "peloton"))
        itineraries[b] = legs
    for b in front:
        legs = ((-math.inf, "main"), (c2.foot_km, "favourites"))
        if b in chase:
            legs += ((split3_km, "chase"),)
        elif b == winner:
            legs += ((attack_km, "winner"),)
        elif b in fav_dropped:
            legs += ((c4.foot_km + 2.5, "favourites-dropped"),)
        itineraries[b] = legs

    specs: list[tuple[str, GroupKind, GapCurve]] = [
        ("main", "bunch", p_curve),
        ("break", "break", zero),
        ("favourites", "bunch", fav_curve),
        ("winner", "loose", zero),
        ("survivors", "break", survivors_curve),
        ("favourites-dropped", "break", fav_dropped_curve),
        ("chase", "bunch", chase_curve),
        ("break-dropped", "break", break_dropped_curve),
        ("peloton", "bunch", peloton_curve),
        ("grupetto", "bunch", grupetto_curve),
        *out_curves,
    ]
    groups = _groups(rt, head, specs, itineraries)

    scores = {
        b: ((-math.inf, min(max(1.0 - strength[b] + rng.uniform(-0.08, 0.08), 0.0), 1.0)),)
        for b in itineraries
    }

    stage = _stage(11, "Oloron-Sainte-Marie", "Bagnères-de-Bigorre", "mountain", 4, rt)
    margin_ranges, projection = _projected_margins(grupetto_curve, usual, rt, cut, c2.foot_km, d)
    peak_km, peak_gap = p_curve.max_between(break_km, c2.foot_km)
    finishers: dict[str, tuple[Bib, ...]] = {
        "winner": (winner,),
        "favourites": favourites,
        "survivors": survivors,
        "favourites-dropped": fav_dropped,
        "chase": chase,
        "peloton": tuple(sorted({*peloton, *break_dropped})),
        "grupetto": grupetto,
        **{f"dropped-{b}": (b,) for b in outside},
    }
    curves = {name: curve for name, _, curve in specs}
    facts = ScenarioFacts(
        scenario="mountain",
        seed=seed,
        stage_name=stage.name,
        distance_km=d,
        coefficient=4,
        neutral_start_t=MOUNTAIN_START_T - NEUTRAL_S,
        start_t=MOUNTAIN_START_T,
        sprint_teams=ro.sprint_teams,
        sprinters={c: t[-1] for c, t in ro.trains.items()},
        trains=ro.trains,
        jerseys=ro.jerseys,
        break_riders=break_riders,
        break_km_to_go=round(d - break_km, 2),
        break_peak_gap_s=round(peak_gap, 1),
        break_peak_km_to_go=round(d - peak_km, 1),
        catch_km_to_go=round(d - catch_km, 2),
        winner=winner,
        winner_time_s=round(winner_time, 1),
        winner_finish_t=round(winner_t, 1),
        winner_speed_kmh=round(v_win, 2),
        limit_percent=pct,
        cut_s=round(cut, 1),
        groups_at_finish=finishers,
        finish_gaps={
            name: round(0.0 if name == "winner" else curves[name](d), 1) for name in finishers
        },
        grupetto=grupetto,
        grupetto_finish_gap_s=round(grupetto_curve(d), 1),
        grupetto_margin_s=round(cut - grupetto_curve(d), 1),
        grupetto_climb_loss_s_per_km=round(k * (7.0 - 1.0), 1),
        outside_cut={b: round(out_gap[b], 1) for b in outside},
        margin_ranges=margin_ranges,
        grupetto_projection=projection,
    )
    script = Script(
        scenario="mountain",
        seed=seed,
        stage=stage,
        roster=ro,
        route=rt,
        neutral_start_t=MOUNTAIN_START_T - NEUTRAL_S,
        start_t=MOUNTAIN_START_T,
        head_times=head,
        winner_t=winner_t,
        groups=groups,
        itineraries=itineraries,
        scores=scores,
        finale=None,
        news=(),
        facts=facts,
    )

    at: Callable[[str, float], float] = script.group_time
    names = ", ".join(_who(ro, b) for b in break_riders)
    news = [
        _news(
            script.head_time(break_km),
            f"A break of {len(break_riders)} goes clear at km {break_km:.1f}: {names}.",
            break_riders,
        ),
        _news(
            at("grupetto", c2.foot_km + 2.0),
            f"The sprinters are dropped on the {c2.name}: "
            f"a grupetto of {len(grupetto) + len(outside)} riders forms.",
            grupetto,
        ),
        _news(
            at("grupetto", crash_km),
            f"Crash on the descent of the {c2.name}: "
            f"{_who(ro, crashed)} gets back on his bike, far behind the grupetto.",
            (crashed,),
            "crash",
        ),
        _news(
            at("favourites", split3_km),
            f"Attacks among the favourites on the {c3.name}: "
            f"{len(favourites_all) + len(survivors)} riders left in front.",
            favourites_all,
        ),
        _news(
            script.head_time(catch_km),
            f"The last of the break are caught {d - catch_km:.1f} km from the line.",
            survivors,
        ),
        _news(
            script.head_time(attack_km),
            f"{_who(ro, winner)} attacks on the {c4.name}, {d - attack_km:.1f} km from the line.",
            (winner,),
        ),
        _news(
            winner_t,
            f"{_who(ro, winner)} wins at Bagnères-de-Bigorre in "
            f"{clock(winner_time)} ({v_win:.1f} km/h): time limit {pct} %, "
            f"+{clock(cut)}.",
            (winner,),
            "finish",
        ),
        _news(
            winner_t + grupetto_curve(d),
            f"The grupetto finishes {clock(cut - grupetto_curve(d))} inside the time limit.",
            grupetto,
            "finish",
        ),
        *(
            _news(
                winner_t + out_gap[b],
                f"{_who(ro, b)} finishes {clock(out_gap[b] - cut)} outside the time limit.",
                (b,),
                "finish",
            )
            for b in outside
        ),
    ]
    return _with_news(script, news)


def _climb_load(grad: float) -> float:
    """How much a climb costs a dropped group, per km: the gradient above 1 %."""
    return max(grad - 1.0, 0.0)


def _descent_load(grad: float) -> float:
    """How much a descent gives back, per km: the downhill gradient above 1.5 %."""
    return max(-grad - 1.5, 0.0)


def _integral(rt: Route, a: float, b: float, rate: Callable[[float], float]) -> float:
    """Sum of `rate(gradient)` over the road from km a to b (same steps as `CurveBuilder.ride`)."""
    n = max(round((b - a) / 0.1), 1)
    step = (b - a) / n
    return sum(rate(rt.gradient_at(a + (k + 0.5) * step)) * step for k in range(n))


def _projected_margins(
    curve: GapCurve,
    usual: Callable[[float], float],
    rt: Route,
    cut: float,
    from_km: float,
    d: float,
) -> tuple[tuple[MarginRange, ...], tuple[tuple[float, float], ...]]:
    """Where the group's projected margin has each status, by its own km to go, and the
    projected margin itself every km (km to go, margin).

    The projection is the one a directeur sportif who knows the group's usual pace would make:
    its gap now plus what that pace loses over the road left. Before `from_km` the group rides
    in the bunch and is expected to lose nothing.
    """
    steps = round((d - from_km) / 0.1)
    kms = [from_km + k * (d - from_km) / steps for k in range(steps + 1)]
    to_come = [0.0] * len(kms)
    for i in range(len(kms) - 2, -1, -1):
        to_come[i] = to_come[i + 1] + _integral(rt, kms[i], kms[i + 1], usual)
    margins = [cut - curve(km) - later for km, later in zip(kms, to_come, strict=True)]
    samples = [
        (round(d - km, 1), round(margin, 1))
        for km, margin in zip(kms, margins, strict=True)
        if abs((d - km) - round(d - km)) < 0.05
    ]
    first = margin_status(cut - curve(rt.x0))
    ranges: list[MarginRange] = []
    status, since = first, rt.x0
    for km, margin in zip(kms, margins, strict=True):
        now = margin_status(margin)
        if now != status:
            ranges.append(MarginRange(status, round(d - max(since, 0.0), 1), round(d - km, 1)))
            status, since = now, km
    ranges.append(MarginRange(status, round(d - max(since, 0.0), 1), 0.0))
    return tuple(ranges), tuple(samples)
