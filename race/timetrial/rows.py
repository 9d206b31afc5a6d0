"""A time triallist's row on the time-gaps panel, from what `race.timetrial.trial` measured:
the finishers by their time, the riders on course by their time against the provisional
leader's at the same point."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from race.gaps.notables import Nameable
from race.gaps.trends import Trend
from race.situation import GroupView, Notable
from race.timetrial.rider import TrialRider
from race.wording import clock

Notables = Callable[[Iterable[Nameable]], tuple[Notable, ...]]
"""Who is worth naming among some riders (`race.gaps.notables.Notables.views`)."""


def finished_row(
    rider: TrialRider, name: str, best: float | None, leader: bool, notables: Notables
) -> GroupView:
    """A finisher: his time against the best (`best`, the leader's when `leader`)."""
    elapsed = rider.elapsed_s or 0.0
    gap = elapsed - best if best is not None else 0.0
    return GroupView(
        id=f"r{rider.bib}",
        name=name,
        kind="head" if leader else "group",
        riders=(rider.bib,),
        gap_s=round(gap, 1),
        gap_to_ahead_s=None,
        km_to_finish=0.0,
        speed_kmh=None,
        trend_s_per_10km=None,
        trend_s_per_min=None,
        trend_basis=f"time {clock(elapsed)}",
        notable=notables((rider,)),
        finished=True,
    )


def course_row(
    rider: TrialRider, name: str, gap: float, trend: Trend | None, notables: Notables
) -> GroupView:
    """A rider on course: `gap` to the leader at the point he has reached, and its trend."""
    return GroupView(
        id=f"r{rider.bib}",
        name=name,
        kind="group",
        riders=(rider.bib,),
        gap_s=round(gap, 1),
        gap_to_ahead_s=None,
        km_to_finish=round(rider.km, 2),
        speed_kmh=round(rider.speed, 1) if rider.speed is not None else None,
        trend_s_per_10km=round(trend.s_per_10km, 1) if trend else None,
        trend_s_per_min=round(trend.s_per_min, 2) if trend else None,
        trend_basis=trend.basis if trend else None,
        notable=notables((rider,)),
        finished=False,
    )
