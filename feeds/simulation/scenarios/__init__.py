"""The scripted stages: a flat stage ending in a bunch sprint, a hilly stage won from a big break
while riders finish outside the time limit, and a mountain stage with a grupetto racing the time
limit. A seed draws who does what, and where; the story stays the same.

Times are those of the head of the race: its speed follows the gradient and the phase of the
race (the break, the chase, the sprint), and every group is placed by its scripted passage-time
gap (`curves`), so the gaps in the frames are exactly the scripted ones.

This module is the registry; each scenario has its own module (`flat`, `hilly`, `mountain`)
whose `build(seed)` writes the script.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from feeds.simulation.facts import ScenarioFacts
from feeds.simulation.scenarios import flat, hilly, mountain
from feeds.simulation.scenarios.courses import roster, route
from feeds.simulation.script import Script

__all__ = ["SCENARIOS", "build_script", "roster", "route", "scenario_facts"]

_BUILDERS: dict[str, Callable[[int], Script]] = {
    "flat": flat.build,
    "hilly": hilly.build,
    "mountain": mountain.build,
}
SCENARIOS: tuple[str, ...] = tuple(_BUILDERS)


@functools.lru_cache(maxsize=8)
def build_script(scenario: str, seed: int) -> Script:
    """The plan of a stage for a scenario and a seed (cached: it is pure and immutable)."""
    builder = _BUILDERS.get(scenario)
    if builder is None:
        raise ValueError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
    return builder(seed)


def scenario_facts(scenario: str, seed: int) -> ScenarioFacts:
    """The ground truth of a simulated stage, without generating its frames."""
    return build_script(scenario, seed).facts
