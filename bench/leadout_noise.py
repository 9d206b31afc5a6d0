"""How the lead-out analysis holds up against GPS noise, on the simulated flat stage.

For each noise level (the simulator's `noise_m`) and seed, runs the stage through the engine
and prints, over the finale (10 km to 250 m to go):

- `false`: changes of state of the sprint teams' trains that the script does not make (a
  train's sprinter rides on his last man's wheel all along, except the scripted wheel loss and
  the train whose men move up past it), not counting `rank`;
- `rank`: changes between `out_of_position` and another state: the last trains ride around
  30th, the limit of "in position", where a sprinter's rank is as uncertain as his place;
- `sure`: share of those trains' frames shown `on_wheel` with a confidence of at least 0.9;
- `loss`: where the engine dates the scripted wheel loss (`since_km`) against the script, and
  the km to go of the head at the frame the state became `lost_wheel`;
- `alerts`: how many lost-wheel alerts were raised (the script makes exactly one), and the noise
  the engine measured from the frames.

    python bench/leadout_noise.py [--noise 0 1.5 2.5 4 6] [--seeds 2026 2027 2028]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from feeds.simulation import scenario_facts, simulate
from race.engine import Race
from race.models import Telemetry
from race.settings import EngineSettings
from race.situation import SprinterState
from race.timelimit.rules import parse_rule_set

ROOT = Path(__file__).resolve().parents[1]


def run(noise_m: float, seed: int) -> dict[str, object]:
    facts = scenario_facts("flat", seed)
    loss = facts.wheel_loss
    assert loss is not None
    moved_team = facts.train_order[facts.train_order.index(loss.team) + 1]
    rules = parse_rule_set(
        (ROOT / "race" / "timelimit" / "rulesets" / "tdf.toml").read_text("utf-8")
    )
    race = Race(EngineSettings(rules=rules))
    previous: dict[str, SprinterState | None] = {}
    false: list[str] = []
    rank: list[str] = []
    frames = sure = 0
    lost_at: float | None = None
    since: float | None = None
    noise: list[float] = []
    started = time.perf_counter()
    situation = race.situation
    for event in simulate("flat", seed, noise_m=noise_m):
        situation = race.apply(event)
        head = situation.head_km_to_finish
        if not isinstance(event, Telemetry) or not situation.finale.active or head is None:
            continue
        if head <= 0.25 or situation.winner_finished:
            continue
        if situation.finale.noise_m is not None:
            noise.append(situation.finale.noise_m)
        for train in situation.leadout:
            if train.team not in facts.sprint_teams:
                continue
            scripted = train.team == loss.team or train.team == moved_team
            after_loss = head <= loss.km_to_go
            if train.team == loss.team and train.status == "lost_wheel" and lost_at is None:
                lost_at, since = head, train.since_km
            if not (scripted and after_loss):
                frames += 1
                sure += train.status == "on_wheel" and (train.confidence or 0) >= 0.9
                before = previous.get(train.team)
                if before is not None and before != train.status:
                    change = f"{train.team}@{head:.1f}:{before}>{train.status}"
                    if "out_of_position" in (before, train.status):
                        rank.append(change)
                    else:
                        false.append(change)
            previous[train.team] = train.status
    alerts = [a for a in situation.alerts if a.kind == "lost_wheel"]
    return {
        "noise": noise_m,
        "seed": seed,
        "false": false,
        "rank": rank,
        "sure": sure / frames if frames else 0.0,
        "script_km": loss.km_to_go,
        "since": since,
        "lost_at": lost_at,
        "alerts": len(alerts),
        "measured": statistics.median(noise) if noise else None,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 1.5, 2.5, 4.0, 6.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2026, 2027, 2028])
    parser.add_argument("-v", "--verbose", action="store_true", help="list the false changes")
    args = parser.parse_args()
    print("noise  seed  false  rank  sure   loss: script since  lost@  alerts  measured")
    for noise_m in args.noise:
        for seed in args.seeds:
            r = run(noise_m, seed)
            false, rank = r["false"], r["rank"]
            assert isinstance(false, list)
            assert isinstance(rank, list)
            since = f"{r['since']:.2f}" if r["since"] is not None else "  -  "
            lost = f"{r['lost_at']:.2f}" if r["lost_at"] is not None else "  -  "
            measured = f"{r['measured']:.1f} m" if r["measured"] is not None else "-"
            print(
                f"{noise_m:4.1f}  {seed}  {len(false):5d}  {len(rank):4d}  {r['sure']:4.0%}"
                f"         {r['script_km']:.2f}  {since}  {lost}  {r['alerts']:6d}  {measured}"
            )
            if args.verbose and false:
                print("      " + " ".join(false))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
