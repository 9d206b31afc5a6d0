"""The flat stage: a break caught in the last 15 km, a puncture, and a bunch sprint the lead-out
trains fight for (one sprinter loses his last man's wheel).

`build` tells the race phase by phase. The phases that draw share the stage's generator, so
the order of the calls is the order of the draws: changing it changes every seed's stage.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from feeds.simulation.curves import CurveBuilder, GapCurve, branch, flat
from feeds.simulation.facts import ScenarioFacts, WheelLoss
from feeds.simulation.roster import Roster
from feeds.simulation.route import AFTER_LINE_KM, Route
from feeds.simulation.scenarios.common import (
    Day,
    Legs,
    Scores,
    finish,
    grade_factor,
    label,
    make_groups,
    make_stage,
    news_at,
    pick,
    ramp,
    with_news,
)
from feeds.simulation.scenarios.courses import FLAT_START_T, roster, route
from feeds.simulation.scenarios.sprint import sprint_finale
from feeds.simulation.script import Finale, Script, head_times
from race.models import Bib, RaceNews
from race.wording import clock, name_list

COEFFICIENT = 1
LOSS_OVER_KM = 0.15
"""The road over which the lost wheel's gap opens."""
FINALE_SPEED = (
    (-12.0, 46.5),
    (-10.0, 48.0),
    (-5.0, 53.0),
    (-1.0, 62.5),
    (-0.2, 69.0),
    (0.0, 71.0),
)
"""The head's pace after the catch, by km to go: 50-55 km/h at 5 km, 60-65 at 1 km, 70 at
200 m."""


def build(seed: int) -> Script:
    """The flat stage for a seed, one phase of the race after the other (see above on order)."""
    rng = random.Random(f"flat:{seed}")
    ro, rt = roster(), route("flat")
    cast = who(rng, ro)
    marks = where(rng, rt.distance_km)
    head = head_pace(rt, marks)
    curves = gap_curves(rng, rt, marks)
    legs = itineraries(ro, cast, marks)
    groups = make_groups(
        rt,
        head,
        [
            ("peloton", "peloton", curves.peloton),
            ("break", "break", GapCurve((rt.x0,), (0.0,))),
            ("dropped", "loose", curves.dropped),
        ],
        legs,
    )
    scores = places_in_bunch(rng, ro, cast, marks)
    finale = sprint_finale(rng, ro, cast.order, cast.winner, lost_wheel(cast, marks))
    won = finish(rt, head, FLAT_START_T, COEFFICIENT)
    stage = make_stage(4, "Mont-de-Marsan", "Dax", "flat", COEFFICIENT, rt)
    day = Day("flat", seed, stage, ro, rt, FLAT_START_T, head, won)
    script = day.script(groups, legs, scores, facts(day, cast, marks, curves, finale), finale)
    return with_news(script, news(script, cast, marks))


@dataclass(frozen=True)
class Cast:
    """Who does what: the break, the puncture, the trains' order, the lost wheel, the winner."""

    break_riders: tuple[Bib, ...]
    punctured: Bib
    helper: Bib
    """The teammate who waits for him."""
    order: tuple[str, ...]
    """The sprint teams' trains at the front, front first."""
    trains: tuple[tuple[Bib, ...], ...]
    lost_k: int
    """The train whose sprinter loses his last man's wheel."""
    intruders: tuple[Bib, ...]
    """The next train's men who move in between."""
    winner: Bib

    @property
    def lost_sprinter(self) -> Bib:
        return self.trains[self.lost_k][-1]

    @property
    def lost_leadout(self) -> Bib:
        return self.trains[self.lost_k][-2]

    @property
    def dropped(self) -> tuple[Bib, ...]:
        return tuple(sorted((self.punctured, self.helper)))


def who(rng: random.Random, ro: Roster) -> Cast:
    riders_by_team = {t.code: [r for r in ro.riders if r.team == t.code] for t in ro.teams}
    sprint_teams = set(ro.sprint_teams)
    others = [t.code for t in ro.teams if t.code not in sprint_teams]
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
    intruders = trains[lost_k + 1][: rng.choice((2, 3))]
    candidates = [trains[k][-1] for k in range(4) if k != lost_k]
    winner = pick(rng, candidates, [0.4, 0.28, 0.2, 0.12][: len(candidates)])
    return Cast(break_riders, punctured, helper, order, trains, lost_k, intruders, winner)


@dataclass(frozen=True)
class Marks:
    """Where: the break goes, peaks and is caught; the puncture; the wheel loss."""

    d: float
    break_km: float
    catch_to_go: float
    peak: int
    """The break's largest lead (s)."""
    peak_km: float
    drift: float
    """What the break loses between its peak and the chase (s)."""
    fall_km: float
    """Where the peloton starts to chase it down."""
    puncture_km: float
    loss_km: float
    """Km to go where the wheel is lost."""
    loss_gap: float

    @property
    def catch_km(self) -> float:
        return self.d - self.catch_to_go


def where(rng: random.Random, d: float) -> Marks:
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
    loss_gap = round(rng.uniform(16.0, 28.0), 1)
    return Marks(
        d, break_km, catch_to_go, peak, peak_km, drift, fall_km, puncture_km, loss_km, loss_gap
    )


def head_pace(rt: Route, marks: Marks) -> tuple[float, ...]:
    """The head's passage times: the break's pace until the catch, then the finale's."""
    catch_km, d = marks.catch_km, marks.d

    def speed(km: float, grad: float) -> float:
        v = 44.3 if km < catch_km else ramp(FINALE_SPEED, km - d)
        return min(v * grade_factor(grad), 78.0)

    return head_times(rt, FLAT_START_T, speed)


@dataclass(frozen=True)
class Curves:
    peloton: GapCurve
    """The peloton's gap to the break, then zero from the catch."""
    dropped: GapCurve
    """The punctured rider and his teammate."""


def gap_curves(rng: random.Random, rt: Route, marks: Marks) -> Curves:
    m = marks
    peloton = (
        CurveBuilder(rt, rt.x0, 0.0)
        .hold(m.break_km)
        .to(m.break_km + 2.5, rng.uniform(20.0, 35.0))
        .to(m.break_km + 9.0, rng.uniform(80.0, 110.0))
        .to(m.peak_km, m.peak)
        .to(m.peak_km + 15.0, m.peak - m.drift * 0.4)
        .to(m.fall_km, m.peak - m.drift)
        .to(m.catch_km, 0.0)
        .hold(m.d + AFTER_LINE_KM)
        .build()
    )
    stop = rng.uniform(22.0, 35.0)
    dropped = branch(rt, peloton, m.puncture_km, rng.uniform(130.0, 230.0), flat, m.d, stop_s=stop)
    return Curves(peloton, dropped)


def itineraries(ro: Roster, cast: Cast, marks: Marks) -> dict[Bib, Legs]:
    out: dict[Bib, Legs] = {}
    for r in ro.riders:
        legs: Legs = ((-math.inf, "peloton"),)
        if r.bib in cast.break_riders:
            legs += ((marks.break_km, "break"), (marks.catch_km, "peloton"))
        elif r.bib in (cast.punctured, cast.helper):
            legs += ((marks.puncture_km, "dropped"),)
        out[r.bib] = legs
    return out


def places_in_bunch(rng: random.Random, ro: Roster, cast: Cast, marks: Marks) -> Scores:
    """Where each rider rides in his group: the break's men at the front until they are caught,
    then at the back; the dropped pair at the back; leaders and sprint teams near the front."""
    sprint_teams = set(ro.sprint_teams)
    scores: dict[Bib, tuple[tuple[float, float], ...]] = {}
    for r in ro.riders:
        if r.bib in cast.break_riders:
            scores[r.bib] = (
                (-math.inf, rng.uniform(0.02, 0.12)),
                (marks.catch_km, rng.uniform(0.7, 0.95)),
            )
        elif r.bib in (cast.punctured, cast.helper):
            scores[r.bib] = ((-math.inf, rng.uniform(0.75, 0.98)),)
        elif r.role == "leader" or r.bib in ro.jerseys:
            scores[r.bib] = ((-math.inf, rng.uniform(0.05, 0.35)),)
        elif r.team in sprint_teams:
            scores[r.bib] = ((-math.inf, rng.uniform(0.1, 0.6)),)
        else:
            scores[r.bib] = ((-math.inf, rng.uniform(0.1, 1.0)),)
    return scores


def lost_wheel(cast: Cast, marks: Marks) -> WheelLoss:
    return WheelLoss(
        team=cast.order[cast.lost_k],
        sprinter=cast.lost_sprinter,
        leadout=cast.lost_leadout,
        km_to_go=marks.loss_km,
        opens_over_m=LOSS_OVER_KM * 1000,
        gap_m=marks.loss_gap,
        intruders=tuple(cast.intruders),
    )


def facts(day: Day, cast: Cast, marks: Marks, curves: Curves, finale: Finale) -> ScenarioFacts:
    d, ro = marks.d, day.roster
    return ScenarioFacts(
        **day.facts(),
        break_riders=cast.break_riders,
        break_km_to_go=round(d - marks.break_km, 2),
        break_peak_gap_s=float(marks.peak),
        break_peak_km_to_go=round(d - marks.peak_km, 1),
        catch_km_to_go=marks.catch_to_go,
        winner=cast.winner,
        groups_at_finish={
            "peloton": tuple(sorted(r.bib for r in ro.riders if r.bib not in cast.dropped)),
            "dropped": cast.dropped,
        },
        finish_gaps={"peloton": 0.0, "dropped": round(curves.dropped(d), 1)},
        train_order=cast.order,
        wheel_loss=finale.wheel_loss,
        dropped=cast.dropped,
    )


def news(script: Script, cast: Cast, marks: Marks) -> list[RaceNews]:
    ro, m, d = script.roster, marks, marks.d
    winner, lost_sprinter, lost_leadout = cast.winner, cast.lost_sprinter, cast.lost_leadout

    def at(km: float) -> float:
        return script.group_time("peloton", km)

    names = name_list([label(ro, b) for b in cast.break_riders])
    return [
        news_at(
            script.head_time(m.break_km),
            f"{len(cast.break_riders)} riders go clear at km {m.break_km:.1f}: {names}.",
            cast.break_riders,
        ),
        news_at(
            at(m.peak_km),
            f"The break's lead peaks at {clock(m.peak)} with {d - m.peak_km:.0f} km to go.",
            cast.break_riders,
        ),
        news_at(
            at(m.puncture_km),
            f"Puncture for {label(ro, cast.punctured)}; "
            f"teammate {label(ro, cast.helper)} waits for him.",
            (cast.punctured, cast.helper),
            "puncture",
        ),
        news_at(
            script.head_time(m.catch_km),
            f"The break is caught with {m.catch_to_go:.1f} km to go.",
            cast.break_riders,
        ),
        news_at(
            script.head_time(d - 10.0),
            f"The sprint trains are at the front: {' › '.join(cast.order)}.",
        ),
        news_at(
            script.head_time(d - m.loss_km),
            f"{label(ro, lost_sprinter)} loses the wheel of "
            f"{label(ro, lost_leadout)} with {m.loss_km:.1f} km to go!",
            (lost_sprinter, lost_leadout),
        ),
        news_at(
            script.winner_t, f"{label(ro, winner)} wins the stage in Dax.", (winner,), "finish"
        ),
    ]
