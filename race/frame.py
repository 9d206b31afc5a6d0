"""The context of one update, made once by the engine and handed to every tracker.

Each feed event gives one update: the engine places the riders (`race.tracking`), then hands
the same `Frame` to the gaps, which add the groups and where they come from, then to the time
limit and the lead-out. Nothing here reads the clock: `t` is the feed's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from race.alerts import AlertLog
from race.gaps.lineage import Lineage
from race.models import Stage
from race.situation import GroupView, Roster
from race.tracking.tracks import Placed


@dataclass(slots=True)
class Frame:
    t: float
    """Feed time of the update (UNIX s)."""
    stage: Stage | None
    roster: Roster
    alerts: AlertLog
    """Where every tracker raises its alerts, in the order they happen."""
    head_km: float | None = None
    """The head of the race's km to go (a time trial: 0 once a best time is known)."""
    race_time_s: float | None = None
    """Time since the real start (a time trial: the best time so far, while riders ride)."""
    winner_time_s: float | None = None
    """The winner's time once he has finished (his time from the real start)."""
    winner_t: float | None = None
    """When the winner crossed the line (UNIX s)."""
    finished: list[Placed] = field(default_factory=list)
    """Riders who have crossed the line, in the order they crossed it."""
    road: list[Placed] = field(default_factory=list)
    """Riders on the road, front to back."""
    head_passage: Callable[[float], float | None] | None = None
    """When the head of the race, whoever was at its head then, passed a point (km to go)."""
    groups: Sequence[GroupView] = field(default_factory=tuple)
    """The groups, front to back: set by the gaps tracker, read by the others."""
    lineage: Lineage | None = None
    """Where each group comes from (None: every group is its own, as in a time trial)."""
