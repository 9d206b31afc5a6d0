"""The flat stage: a break caught in the last 15 km, a puncture, and a bunch sprint the lead-out
trains fight for (one sprinter loses his last man's wheel).
"""

from __future__ import annotations

import math
import random

from feeds.simulation.curves import CurveBuilder, GapCurve, branch, flat
from feeds.simulation.facts import ScenarioFacts, WheelLoss, limit_percent
from feeds.simulation.route import AFTER_LINE_KM
from feeds.simulation.scenarios.common import (
    grade_factor,
    label,
    make_groups,
    make_stage,
    news_at,
    pick,
    ramp,
    with_news,
)
from feeds.simulation.scenarios.courses import FLAT_START_T, NEUTRAL_S, roster, route
from feeds.simulation.script import Finale, Script, head_times, time_at
from race.models import Bib
from race.text import clock


def build(seed: int) -> Script:
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
    winner = pick(rng, candidates, [0.4, 0.28, 0.2, 0.12][: len(candidates)])

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
        v = 44.3 if km < catch_km else ramp(finale_speed, km - d)
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
    groups = make_groups(
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
    stage = make_stage(4, "Mont-de-Marsan", "Dax", "flat", 1, rt)
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

    names = ", ".join(label(ro, b) for b in break_riders)
    news = [
        news_at(
            script.head_time(break_km),
            f"{len(break_riders)} riders go clear at km {break_km:.1f}: {names}.",
            break_riders,
        ),
        news_at(
            at(peak_km),
            f"The break's lead peaks at {clock(peak)} with {d - peak_km:.0f} km to go.",
            break_riders,
        ),
        news_at(
            at(puncture_km),
            f"Puncture for {label(ro, punctured)}; teammate {label(ro, helper)} waits for him.",
            (punctured, helper),
            "puncture",
        ),
        news_at(
            script.head_time(catch_km),
            f"The break is caught with {catch_to_go:.1f} km to go.",
            break_riders,
        ),
        news_at(
            script.head_time(d - 10.0), f"The sprint trains are at the front: {' › '.join(order)}."
        ),
        news_at(
            script.head_time(d - loss_km),
            f"{label(ro, lost_sprinter)} loses the wheel of "
            f"{label(ro, lost_leadout)} with {loss_km:.1f} km to go!",
            (lost_sprinter, lost_leadout),
        ),
        news_at(winner_t, f"{label(ro, winner)} wins the stage in Dax.", (winner,), "finish"),
    ]
    return with_news(script, news)
