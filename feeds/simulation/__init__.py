"""The deterministic stage simulator behind the `simulated` feed: pure, seeded, no clock, no I/O.

`simulate()` plays a scripted stage back as feed events; `scenario_facts()` tells what the script
makes happen (the break, the catch, the trains, the wheel loss, the grupetto, the break's
splits, the stragglers and the time limit),
so that tests and docs can check the engine against the truth.
"""

from feeds.simulation.facts import (
    MarginRange,
    Scenario,
    ScenarioFacts,
    Stretch,
    WheelLoss,
    limit_percent,
)
from feeds.simulation.scenarios import SCENARIOS, scenario_facts
from feeds.simulation.stage import Sparse, simulate

__all__ = [
    "SCENARIOS",
    "MarginRange",
    "Scenario",
    "ScenarioFacts",
    "Sparse",
    "Stretch",
    "WheelLoss",
    "limit_percent",
    "scenario_facts",
    "simulate",
]
