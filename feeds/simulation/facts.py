"""The ground truth of a simulated stage: what the script makes happen, for tests and docs.

Every value here comes from the script, not from reading the frames back, so a test can check
that the frames (and the engine reading them) show what was meant to happen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from race.models import Bib, Jersey

Scenario = Literal["flat", "hilly", "mountain"]
MarginStatus = Literal["safe", "tight", "danger"]

TIGHT_MARGIN_S = 300.0
"""Below this margin to the cut (s) a group is "tight" (Ardoise's default `tight_margin_s`)."""
DANGER_MARGIN_S = 120.0
"""Below this margin (s) it is in "danger" (Ardoise's default `danger_margin_s`)."""


def limit_percent(coefficient: int, speed_kmh: float) -> int:
    """Tour de France article 22, for the coefficients the simulator uses (1, 2 and 4).

    Band edges: "<= A" gets the first value, then each band is (lower exclusive, upper inclusive].
    Kept here, independent of the engine's rules files, so the two can be checked against
    each other.
    """
    if coefficient == 1:
        first, edge, width, top = 4, 36.0, 2.0, 12
    elif coefficient == 2:
        first, edge, width, top = 6, 35.0, 1.0, 18
    elif coefficient == 4:
        first, edge, width, top = 7, 30.0, 1.0, 18
    else:
        raise ValueError(f"the simulator only scripts coefficients 1, 2 and 4, not {coefficient}")
    if speed_kmh <= edge:
        return first
    return min(first + math.ceil((speed_kmh - edge) / width - 1e-12), top)


def margin_status(margin_s: float) -> MarginStatus:
    if margin_s > TIGHT_MARGIN_S:
        return "safe"
    if margin_s > DANGER_MARGIN_S:
        return "tight"
    return "danger"


@dataclass(frozen=True)
class WheelLoss:
    """The scripted moment a sprinter loses his last lead-out man's wheel (flat finale)."""

    team: str
    sprinter: Bib
    leadout: Bib
    """The last man of the train, whose wheel is lost."""
    km_to_go: float
    """Where the gap starts to open (km to go of the head of the race)."""
    opens_over_m: float
    """Distance the head covers while the gap opens."""
    gap_m: float
    """Distance from the sprinter to that wheel once opened; it stays open to the line."""
    intruders: tuple[Bib, ...]
    """Riders of another team who move in between."""


@dataclass(frozen=True)
class MarginRange:
    """A stretch of road where the grupetto's projected margin to the cut has one status."""

    status: MarginStatus
    from_km_to_go: float
    to_km_to_go: float
    """Km to go of the grupetto itself (its position), from > to."""


@dataclass(frozen=True)
class Stretch:
    """Riders who ride as one group over a stretch of road (hilly: the head of the break, the
    chase behind it, the riders who bridge across)."""

    riders: tuple[Bib, ...]
    from_km_to_go: float
    to_km_to_go: float
    """Km to go of the group itself where they come together and where it ends, from > to (0:
    at the line)."""


@dataclass(frozen=True)
class ScenarioFacts:
    """What the script of a stage decides: the answers the engine should find in the frames."""

    scenario: Scenario
    seed: int
    stage_name: str
    distance_km: float
    coefficient: int
    neutral_start_t: float
    """UNIX time of the first frame: the neutralised start."""
    start_t: float
    """UNIX time the head of the race passes km 0 (the real start)."""
    sprint_teams: tuple[str, ...]
    """Teams with a real lead-out train."""
    sprinters: Mapping[str, Bib]
    """Each team's sprinter."""
    trains: Mapping[str, tuple[Bib, ...]]
    """Each team's lead-out men in road order (first man first), its sprinter last."""
    jerseys: Mapping[Bib, Jersey]
    break_riders: tuple[Bib, ...]
    break_km_to_go: float
    """Km to go of the head when the break goes clear."""
    break_peak_gap_s: float
    """The break's largest lead over the peloton (or the chasing favourites)."""
    break_peak_km_to_go: float
    """Km to go of the peloton when that lead is largest."""
    catch_km_to_go: float
    """Km to go where the last of the break is caught (hilly: the break is never caught by the
    peloton; this is where its head is caught by the riders bridging from the chase)."""
    winner: Bib
    winner_time_s: float
    """From km 0 to the line."""
    winner_finish_t: float
    winner_speed_kmh: float
    limit_percent: int
    """Time-limit percentage (article 22) for the winner's average speed and the coefficient."""
    cut_s: float
    """Largest gap to the winner still inside the time limit: winner's time x percent."""
    groups_at_finish: Mapping[str, tuple[Bib, ...]]
    """Riders by the group they finish in (script names: "peloton", "grupetto", ...)."""
    finish_gaps: Mapping[str, float]
    """Gap to the winner of the first rider of each group at the line (s)."""
    train_order: tuple[str, ...] = ()
    """Flat: the sprint teams' trains at the front in the last 10 km, front first."""
    wheel_loss: WheelLoss | None = None
    dropped: tuple[Bib, ...] = ()
    """Riders who lose minutes after an incident (flat: a puncture and the teammate who waits)."""
    grupetto: tuple[Bib, ...] = ()
    grupetto_finish_gap_s: float | None = None
    grupetto_margin_s: float | None = None
    """Cut minus the grupetto's finish gap: positive is inside the time limit."""
    grupetto_climb_loss_s_per_km: float | None = None
    """What the grupetto's usual pace loses to the head per km of a 7 % climb (Degenkolb's rule
    of thumb: about a minute)."""
    outside_cut: Mapping[Bib, float] = field(default_factory=dict)
    """Riders who finish outside the time limit, and their expected finish gap (s)."""
    margin_ranges: tuple[MarginRange, ...] = ()
    """Where the grupetto is safe, tight or in danger: its projected margin to the final cut,
    projected as a directeur sportif who knows the group's usual pace would (its gap now plus
    what that pace loses over the road left; nothing while it rides in the bunch). The script's
    surprises (a crisis on the last climb, the chase to the line) are not foreseen."""
    grupetto_projection: tuple[tuple[float, float], ...] = ()
    """That projected margin every km from where the grupetto forms: (its km to go, margin s)."""
    head: Stretch | None = None
    """Hilly: the riders who go clear of the break on a climb, until they are caught."""
    chase: Stretch | None = None
    """Hilly: the rest of the break behind the head, from the split to the line (the riders who
    bridge and the weakest, dropped, leave it on the way)."""
    bridge: Stretch | None = None
    """Hilly: the riders who leave the chase and catch the head."""
    winning_group: tuple[Bib, ...] = ()
    """Hilly: the group that sprints for the stage (the head and the riders who caught it)."""
    stragglers: Mapping[Bib, float] = field(default_factory=dict)
    """Riders dropped far behind the bunch (a sick rider, a crash), and their expected finish
    gap (s)."""
    scripted_gaps: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    """Hilly: for some groups of `groups_at_finish`, (the group's own km to go, its scripted gap
    to the head of the race, s) every km from where it forms to the line."""

    def __post_init__(self) -> None:
        # Read-only mappings: the facts of a cached script are shared by every caller.
        for name in (
            "sprinters",
            "trains",
            "jerseys",
            "groups_at_finish",
            "finish_gaps",
            "outside_cut",
            "stragglers",
            "scripted_gaps",
        ):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
