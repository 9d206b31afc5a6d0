"""The mountain stage's race at the back: the grupetto against the time limit, the riders who
fall out of it, and the margin a directeur sportif would project for it.

The sprinters get over the Côte de Berdets in the bunch and are dropped at the foot of the
Soum de Lèze. From there the group rides at its own pace: it loses time to the head on every
climb in proportion to the gradient (Degenkolb's rule of thumb, about a minute per km on a big
climb), regains a little on the descents, drifts on the flat. On the last climb it is in crisis
(the favourites race for the stage ahead): it loses more than its usual pace there and falls
into danger; it then chases flat out on the descent and the run-in, and finishes inside with a
little to spare. What a projection that knows its usual pace would say (`projected_margins`)
goes safe (in the bunch), tight (from the foot of the Soum de Lèze), danger (on the last
climb), tight again (in the chase).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from feeds.simulation.curves import CurveBuilder, GapCurve, branch, terrain
from feeds.simulation.facts import MarginRange, margin_status
from feeds.simulation.roster import Roster
from feeds.simulation.route import AFTER_LINE_KM, Route
from feeds.simulation.script import GroupKind
from race.models import Bib


@dataclass(frozen=True)
class Grupetto:
    riders: tuple[Bib, ...]
    """Those who finish in it: the sprinters, most lead-out men, a domestique or two."""
    crashed: Bib
    """A sprint team's lead-out man who crashes on a descent and finishes outside the limit."""
    fading: tuple[Bib, ...]
    """Domestiques who cannot hold even the grupetto's pace, and finish outside the limit."""

    @property
    def outside(self) -> tuple[Bib, ...]:
        return (self.crashed, *self.fading)


def who_grupetto(rng: random.Random, ro: Roster) -> Grupetto:
    sprint_teams = set(ro.sprint_teams)
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
    riders = tuple(
        sorted({*sprinters, *sprint_leadouts, *extra_leadouts, *grupetto_domestiques} - {crashed})
    )
    return Grupetto(riders, crashed, tuple(fading))


@dataclass(frozen=True)
class Pace:
    curve: GapCurve
    usual: Callable[[float], float]
    """What the group's usual pace loses to the head per km, by gradient."""
    k: float
    """Of which, per km and per % of gradient above 1 %."""


def grupetto_pace(rng: random.Random, rt: Route, main: GapCurve, cut: float) -> Pace:
    """The grupetto's gap from the foot of the Soum de Lèze, where it leaves the bunch (`main`),
    solved so that it finishes a drawn margin inside the `cut`."""
    d = rt.distance_km
    _, c2, c3, c4 = rt.spec.climbs
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
    g_form = main(c2.foot_km)
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
    return Pace(g.hold(d + AFTER_LINE_KM).build(), usual, k)


@dataclass(frozen=True)
class FallOut:
    """The riders who finish outside the time limit: where they leave the grupetto, their gap
    at the line, and their curves (one loose group each)."""

    crash_km: float
    fade_km: Mapping[Bib, float]
    out_gap: Mapping[Bib, float]
    curves: tuple[tuple[str, GroupKind, GapCurve], ...]


def fall_out(
    rng: random.Random, rt: Route, grupetto: Grupetto, curve: GapCurve, cut: float
) -> FallOut:
    """A crash on the descent of the Soum de Lèze; the fading riders let go on a climb, the
    first on the Hourquette, the second on the Soum de Lèze."""
    d = rt.distance_km
    _, c2, c3, _ = rt.spec.climbs
    crashed = grupetto.crashed
    crash_km = round(rng.uniform(c2.summit_km + 3.0, c2.summit_km + 12.0), 2)
    crash_stop = rng.uniform(100.0, 160.0)
    out_gap = {crashed: cut + rng.uniform(150.0, 420.0)}
    crash_curve = branch(
        rt, curve, crash_km, out_gap[crashed] - crash_stop - curve(d), terrain, d, stop_s=crash_stop
    )
    curves: list[tuple[str, GroupKind, GapCurve]] = [(f"dropped-{crashed}", "loose", crash_curve)]
    fade_km: dict[Bib, float] = {}
    for i, b in enumerate(grupetto.fading):
        climb = c3 if i == 0 else c2
        fade_km[b] = round(rng.uniform(climb.foot_km + 2.0, climb.summit_km - 3.0), 2)
        out_gap[b] = cut + rng.uniform(300.0, 720.0)
        faded = branch(rt, curve, fade_km[b], out_gap[b] - curve(d), terrain, d)
        curves.append((f"dropped-{b}", "loose", faded))
    return FallOut(crash_km, fade_km, out_gap, tuple(curves))


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


def projected_margins(
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
