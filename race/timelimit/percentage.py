"""The day's rule: the stage's class in force, and the table's percentage for the winner's
speed, held at a band edge while the winner's time is only a forecast."""

from __future__ import annotations

from race.models import Stage
from race.settings import StageSettings
from race.timelimit.rules import RuleSet, assumed_class, percent_for

EDGE_HOLD_KMH = 0.1
EDGE_HOLD_PER_STAGE_KMH = 0.8
"""While the winner's time is a forecast, the percentage it had is kept until the forecast
speed is this far past a band edge: `EDGE_HOLD_KMH` plus `EDGE_HOLD_PER_STAGE_KMH` times the
share of the stage still to ride. Without the hold, the cut would jump by a whole percent
(2-3 minutes on a mountain stage) each time the forecast crossed an edge and back.

The forecast swings as the race changes phase. On the simulated mountain stage it falls by
0.5-0.7 km/h on the last big climbs, a third of the stage from the line, then recovers
(measured over ten seeds: bench/timelimit_projection.py prints each run's percentages); with
0.4 km/h per stage the hold was 0.24 km/h there, and on four seeds of ten the cut dropped by
a percent and came back, the grupetto going to danger and back on the way. On the real stage
5 recording the forecast is up to 2.5 km/h low mid-stage (the finale is faster than the
average), but it only rises: the hold delays that one change."""


def stage_class_in_force(
    rules: RuleSet, settings: StageSettings, stage: Stage | None
) -> tuple[int | str | None, bool]:
    """The stage's class in force and whether it was assumed from the stage type."""
    if settings.class_in_force is not None:
        return settings.class_in_force, False
    if stage is None:
        return None, False
    if stage.coefficient is not None:
        return stage.coefficient, False
    assumed = assumed_class(rules, stage.type)
    if assumed is not None and assumed.isdigit():
        return int(assumed), True  # a Tour coefficient, as the feed or config would give it
    return assumed, True


class PercentHold:
    """The table's percentage, held at a band edge while the winner's time is a forecast."""

    def __init__(self, fixed_percent: float | None) -> None:
        self.fixed_percent = fixed_percent
        """The stage's percentage for a class without bands (a time trial), if set."""
        self._held: float | None = None

    def percent(
        self,
        rules: RuleSet,
        coefficient: int | str,
        speed_kmh: float,
        final: bool,
        share_to_go: float,
    ) -> float:
        fixed = self.fixed_percent
        percent = percent_for(rules, coefficient, speed_kmh, fixed_percent=fixed)
        held = self._held
        if not final and held is not None and held != percent:
            hold = EDGE_HOLD_KMH + EDGE_HOLD_PER_STAGE_KMH * min(max(share_to_go, 0.0), 1.0)
            low = percent_for(rules, coefficient, max(speed_kmh - hold, 0.0), fixed_percent=fixed)
            high = percent_for(rules, coefficient, speed_kmh + hold, fixed_percent=fixed)
            if low <= held <= high:
                percent = held
        self._held = None if final else percent
        return percent


def class_label(coefficient: int | str | None, assumed: bool) -> str:
    """ "coef 4", "cat D", with "(assumed)" when guessed from the stage type."""
    if coefficient is None:
        return "coef ?"
    text = str(coefficient)
    word = "coef" if text.isdigit() else "cat"
    return f"{word} {text}{' (assumed)' if assumed else ''}"
