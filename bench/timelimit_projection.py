"""How far ahead the time-limit projection knows the grupetto's margin, on the simulated stage.

Plays the simulated mountain stage through the engine, from positions only, and reads the
projected margin of the group holding most of the watched sprinters when that group is 50, 20
and 5 km from the line. Each is compared with two references:

- the true final margin: the rules applied to the script's winner's time, minus the grupetto's
  scripted finishing gap. The script hides two surprises from any projection (a crisis on the
  last climb, a chase to the line), so part of this error cannot be avoided;
- the script's own projection at that point: the margin that the group's usual pace (known to
  the script, learned by the engine) gives over the road left. This error is the engine's.

Two naive projections are measured on the same frames for comparison: "the gap holds" (the
current gap) and "the trend holds" (the gap plus its trend over the last 10 km, carried over at
most 20 km).

    python bench/timelimit_projection.py [--seeds 2026,1,2,3,4,5,6,7,8,9]

Then, frame by frame while the winner's time is a forecast, how far off the projected margin
is against the spread of the losses and gains it counts on over the road left (the basis of
race.timelimit.UNCERTAIN_SHARE; read from the tracker's own state, as a measurement).

Also prints the winner's time forecast error at the same moments, each run's percentages
while the winner's time is a forecast (where the head was when each took over), each run's
time-limit alerts (where the grupetto was), and the first seed's alerts in full.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files

from feeds.simulation import scenario_facts, simulate
from race.engine import Race
from race.models import Telemetry
from race.settings import EngineSettings
from race.timelimit.forecast import Terrain
from race.timelimit.rules import cut_seconds, parse_rule_set

MARKS_KM = (50.0, 20.0, 5.0)
"""The grupetto's own distance to the line at which its projection is read."""
TREND_HORIZON_KM = 20.0


@dataclass
class Reading:
    margin_s: float
    """The engine's projected margin."""
    gap_holds_s: float
    trend_holds_s: float
    winner_error_s: float
    status: str
    scripted_s: float
    """The script's projected margin where the group was."""


@dataclass
class Run:
    seed: int
    final_margin_s: float
    readings: dict[float, Reading] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    alert_kms: list[str] = field(default_factory=list)
    """Each time-limit alert's kind and the km to go it names."""
    percents: list[tuple[float, float]] = field(default_factory=list)
    """(head's km to go, percentage) each time the forecast percentage changed."""
    spreads: list[tuple[float, float, float, float]] = field(default_factory=list)
    """(km to go, |error vs final|, |error vs the script's|, spread) each frame before the
    winner's finish."""


def run(seed: int) -> Run:
    rules = parse_rule_set(
        (files("race.timelimit") / "rulesets" / "tdf.toml").read_text(encoding="utf-8")
    )
    facts = scenario_facts("mountain", seed)
    assert facts.grupetto_finish_gap_s is not None
    true_cut = cut_seconds(rules, facts.winner_time_s, facts.limit_percent)
    out = Run(seed, true_cut - facts.grupetto_finish_gap_s)
    sprinters = set(facts.sprinters.values())
    scripted = dict(facts.grupetto_projection)
    race = Race(EngineSettings(rules=rules))
    pending = list(MARKS_KM)
    seen_alerts = 0
    terrain: Terrain | None = None
    for event in simulate("mountain", seed, noise_m=1.5):
        situation = race.apply(event)
        for alert in situation.alerts[seen_alerts:]:
            if alert.kind.startswith("time_limit"):
                out.alerts.append(f"{alert.kind:<20} {alert.text}")
                where = alert.text.rsplit(", ", 1)[-1].removesuffix(" km to go")
                kind = alert.kind.removeprefix("time_limit_")
                out.alert_kms.append(f"{kind}@{where}" if where.isdigit() else kind)
        seen_alerts = len(situation.alerts)
        limit = situation.time_limit
        if (
            not limit.final
            and limit.percent is not None
            and situation.head_km_to_finish is not None
            and (not out.percents or out.percents[-1][1] != limit.percent)
        ):
            out.percents.append((situation.head_km_to_finish, limit.percent))
        if not isinstance(event, Telemetry):
            continue
        if limit.cut_s is None or limit.winner_time_s is None:
            continue
        views = {g.id: g for g in situation.groups}
        carrying = max(limit.groups, key=lambda g: len(sprinters & set(g.watched)), default=None)
        if carrying is None or not sprinters & set(carrying.watched):
            continue
        group = views[carrying.id]
        if terrain is None and situation.stage is not None:
            terrain = Terrain(situation.stage)
        if terrain is not None and not limit.final and 3.0 <= group.km_to_finish <= 100.0:
            # The tracker's learned losses for the group: private state, read as a measurement.
            state = race._time_limit._learner.groups.get(carrying.id)
            if state is not None:
                a, c, b = state.model.coefficients()
                x = facts.distance_km - group.km_to_finish
                road = terrain.load(x, facts.distance_km)
                spread = abs(a * road.climb) + abs(c * road.flat) + abs(b * road.descent)
                out.spreads.append(
                    (
                        group.km_to_finish,
                        abs(carrying.margin_s - out.final_margin_s),
                        abs(carrying.margin_s - scripted[float(round(group.km_to_finish))]),
                        spread,
                    )
                )
        while pending and group.km_to_finish <= pending[0]:
            trend = group.trend_s_per_10km or 0.0
            horizon = min(group.km_to_finish, TREND_HORIZON_KM)
            out.readings[pending.pop(0)] = Reading(
                margin_s=carrying.margin_s,
                gap_holds_s=limit.cut_s - group.gap_s,
                trend_holds_s=limit.cut_s - (group.gap_s + trend * horizon / 10.0),
                winner_error_s=limit.winner_time_s - facts.winner_time_s,
                status=carrying.status,
                scripted_s=scripted[float(round(group.km_to_finish))],
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="2026,1,2,3,4,5,6,7,8,9")
    seeds = [int(s) for s in parser.parse_args().seeds.split(",")]
    runs = [run(seed) for seed in seeds]

    print("The grupetto's projected margin (s) when it is 50, 20 and 5 km from the line;")
    print("vs final = projected - final margin, vs script = projected - the script's projection")
    print("(positive: the projection was optimistic)\n")
    header = f"{'seed':>5} {'final':>6} " + " ".join(
        f"{f'@{m:g} km':>7} {'vs final':>8} {'vs script':>9} {'status':>7}" for m in MARKS_KM
    )
    print(header)
    for r in runs:
        cells = []
        for mark in MARKS_KM:
            x = r.readings.get(mark)
            if x is None:
                cells.append(f"{'-':>7} {'-':>8} {'-':>9} {'-':>7}")
                continue
            cells.append(
                f"{x.margin_s:7.0f} {x.margin_s - r.final_margin_s:+8.0f} "
                f"{x.margin_s - x.scripted_s:+9.0f} {x.status:>7}"
            )
        print(f"{r.seed:>5} {r.final_margin_s:6.0f} " + " ".join(cells))

    print("\nMean absolute error (s) over the seeds, and the naive projections on the same frames")
    print(f"{'':>28}" + "".join(f"{f'@{m:g} km':>10}" for m in MARKS_KM))
    comparisons: list[tuple[str, Callable[[Reading], float], str]] = [
        ("Ardoise vs the script's", lambda x: x.margin_s, "script"),
        ("Ardoise vs final", lambda x: x.margin_s, "final"),
        ("the gap holds vs final", lambda x: x.gap_holds_s, "final"),
        ("the trend holds vs final", lambda x: x.trend_holds_s, "final"),
    ]
    for label, pick, against in comparisons:
        row = []
        for mark in MARKS_KM:
            errors = [
                abs(
                    pick(r.readings[mark])
                    - (r.readings[mark].scripted_s if against == "script" else r.final_margin_s)
                )
                for r in runs
                if mark in r.readings
            ]
            row.append(f"{statistics.fmean(errors):10.0f}" if errors else f"{'-':>10}")
        print(f"{label:<28}" + "".join(row))
    row = []
    for mark in MARKS_KM:
        errors = [abs(r.readings[mark].winner_error_s) for r in runs if mark in r.readings]
        row.append(f"{statistics.fmean(errors):10.0f}" if errors else f"{'-':>10}")
    label = "winner's time forecast"
    print(f"{label:<28}" + "".join(row))

    print("\nAgainst the spread of what the projection counts on (losses and gains over the")
    print("road left, in absolute value), frame by frame, by the grupetto's km to go:")
    print(f"{'km to go':>10} {'frames':>7} {'spread':>7} {'error vs final':>15} {'vs script':>10}")
    print(f"{'':>10} {'':>7} {'mean s':>7} {'mean s':>7} {'q90/spr':>7} {'q90/spr':>10}")
    for low in range(90, -10, -10):
        rows = [x for r in runs for x in r.spreads if low <= x[0] < low + 10]
        if not rows:
            continue
        final_ratio = sorted(e / max(sp, 1.0) for _, e, _, sp in rows)
        script_ratio = sorted(e / max(sp, 1.0) for _, _, e, sp in rows)
        q90 = int(0.9 * (len(rows) - 1))
        print(
            f"{f'{low}-{low + 10}':>10} {len(rows):>7} {statistics.fmean(x[3] for x in rows):7.0f}"
            f" {statistics.fmean(x[1] for x in rows):7.0f} {final_ratio[q90]:7.2f}"
            f" {script_ratio[q90]:10.2f}"
        )

    print("\nPercentages while forecast (head's km to go: %), and the time-limit alerts")
    for r in runs:
        percents = " ".join(f"{km:.0f}:{p:g}" for km, p in r.percents)
        print(f"{r.seed:>5}  {percents}\n       {' '.join(r.alert_kms)}")

    print("\nTime-limit alerts, seed", runs[0].seed)
    for line in runs[0].alerts:
        print(" ", line)


if __name__ == "__main__":
    main()
