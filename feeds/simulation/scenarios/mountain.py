"""The mountain stage: a break, the favourites fighting it out on the last climbs, and a
grupetto of sprinters racing the time limit while a few riders fall outside it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from feeds.simulation.curves import CurveBuilder, GapCurve, branch, flat, terrain, uphill
from feeds.simulation.facts import MarginRange, ScenarioFacts, limit_percent, margin_status
from feeds.simulation.route import AFTER_LINE_KM, Route
from feeds.simulation.scenarios.common import (
    grade_factor,
    label,
    make_groups,
    make_stage,
    news_at,
    pick,
    with_news,
)
from feeds.simulation.scenarios.courses import MOUNTAIN_START_T, NEUTRAL_S, roster, route
from feeds.simulation.script import GroupKind, Script, head_times, time_at
from race.models import Bib
from race.text import clock


def build(seed: int) -> Script:
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
    winner = pick(rng, favourites_all[:6], [0.3, 0.22, 0.18, 0.12, 0.1, 0.08])
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
    groups = make_groups(rt, head, specs, itineraries)

    scores = {
        b: ((-math.inf, min(max(1.0 - strength[b] + rng.uniform(-0.08, 0.08), 0.0), 1.0)),)
        for b in itineraries
    }

    stage = make_stage(11, "Oloron-Sainte-Marie", "Bagnères-de-Bigorre", "mountain", 4, rt)
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
    names = ", ".join(label(ro, b) for b in break_riders)
    news = [
        news_at(
            script.head_time(break_km),
            f"A break of {len(break_riders)} goes clear at km {break_km:.1f}: {names}.",
            break_riders,
        ),
        news_at(
            at("grupetto", c2.foot_km + 2.0),
            f"The sprinters are dropped on the {c2.name}: "
            f"a grupetto of {len(grupetto) + len(outside)} riders forms.",
            grupetto,
        ),
        news_at(
            at("grupetto", crash_km),
            f"Crash on the descent of the {c2.name}: "
            f"{label(ro, crashed)} gets back on his bike, far behind the grupetto.",
            (crashed,),
            "crash",
        ),
        news_at(
            at("favourites", split3_km),
            f"Attacks among the favourites on the {c3.name}: "
            f"{len(favourites_all) + len(survivors)} riders left in front.",
            favourites_all,
        ),
        news_at(
            script.head_time(catch_km),
            f"The last of the break are caught {d - catch_km:.1f} km from the line.",
            survivors,
        ),
        news_at(
            script.head_time(attack_km),
            f"{label(ro, winner)} attacks on the {c4.name}, {d - attack_km:.1f} km from the line.",
            (winner,),
        ),
        news_at(
            winner_t,
            f"{label(ro, winner)} wins at Bagnères-de-Bigorre in "
            f"{clock(winner_time)} ({v_win:.1f} km/h): time limit {pct} %, "
            f"+{clock(cut)}.",
            (winner,),
            "finish",
        ),
        news_at(
            winner_t + grupetto_curve(d),
            f"The grupetto finishes {clock(cut - grupetto_curve(d))} inside the time limit.",
            grupetto,
            "finish",
        ),
        *(
            news_at(
                winner_t + out_gap[b],
                f"{label(ro, b)} finishes {clock(out_gap[b] - cut)} outside the time limit.",
                (b,),
                "finish",
            )
            for b in outside
        ),
    ]
    return with_news(script, news)


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
