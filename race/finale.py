"""The lead-out's part of the `Situation`: each train read in one frame, and the finale."""

from __future__ import annotations

from typing import Literal

from race.models import Bib
from race.view import View

SprinterState = Literal["on_wheel", "gap_opening", "lost_wheel", "boxed", "out_of_position"]

SUPPORTED = 0.8
"""A sprinter's state is sure when this frame's data supports it with at least this probability:
the lead-out tracker takes a new state only from such frames, and the screen marks a state
supported less than this with "?"."""


class TrainRider(View):
    bib: Bib
    rank: int
    """Position in the race, counted from the front (1 = first on the road)."""
    gap_m: float | None
    """Distance to the wheel ahead in the train (None for the train's first rider)."""
    gap_s: float | None = None
    role: Literal["leadout", "sprinter", "rider"] = "leadout"
    """"rider": one of a detected train whose sprinter the data does not show yet."""


class Train(View):
    team: str
    """Team code."""
    sprinter: Bib | None
    """None: a detected train whose sprinter the data does not show yet (a guess is not shown)."""
    riders: tuple[TrainRider, ...]
    """The lead-out men still with the sprinter, then the sprinter, in road order; without a
    sprinter, the team's riders together at the front, in road order."""
    status: SprinterState | None
    """None: no state claimed (no sprinter known, or the frames too far apart to judge a wheel)."""
    sprinter_rank: int | None
    intruders: int = 0
    """Riders of other teams between the sprinter and his last lead-out man."""
    my_team: bool = False
    source: Literal["config", "roster", "detected"] = "config"
    """Where the train comes from: the configuration, the feed's roles, or detected on the road."""
    last_man: Bib | None = None
    """The lead-out man whose wheel the sprinter should be on."""
    wheel_m: float | None = None
    """Distance from the sprinter to his last man (m), smoothed over the last frames."""
    confidence: float | None = None
    """How well this frame's data supports `status` (0-1): the probability of the state given
    the positions and their uncertainty. None before the finale."""
    since_km: float | None = None
    """The sprinter's km to go when the data first showed the current state."""
    pending: SprinterState | None = None
    """The state the latest frame shows when it differs from `status`: it replaces `status` if
    the next frame shows it too."""
    in_contention: bool = True
    """False for my team's train outside the group sprinting for the win (shown all the same)."""

    @property
    def sure(self) -> bool:
        """This frame's data supports `status` well enough to establish it (`SUPPORTED`)."""
        return self.status is not None and (self.confidence is None or self.confidence >= SUPPORTED)

    @property
    def front_rank(self) -> int:
        """The place of the train's first rider: trains are listed front first by it."""
        return self.riders[0].rank

    @property
    def wheel_s(self) -> float | None:
        """`wheel_m` in seconds at the bunch's speed (None when either is unknown)."""
        sprinter = next((r for r in self.riders if r.role == "sprinter"), None)
        if sprinter is None or self.wheel_m is None or sprinter.gap_s is None:
            return None
        if not sprinter.gap_m:
            return 0.0
        return sprinter.gap_s * self.wheel_m / sprinter.gap_m


class TeamShare(View):
    """A team's riders in a small group sprinting for the win, in road order."""

    team: str
    riders: tuple[Bib, ...]


class Finale(View):
    """Context of the lead-out picture."""

    active: bool = False
    finale_km: float = 10.0
    head_km_to_finish: float | None = None
    head_rider: Bib | None = None
    """The rider whose trajectory gaps are measured on: the first on the road, then the winner."""
    resolution_m: float | None = None
    """How far the bunch moves between two frames: the uncertainty of a position in the finale."""
    cadence_s: float | None = None
    noise_m: float | None = None
    """Noise of one rider's fix along the road (one standard deviation, m), measured from how
    much the riders' places in the bunch jump between frames."""
    wheel_sigma_m: float | None = None
    """Uncertainty (one standard deviation, m) of a distance between two riders after smoothing:
    how precise `wheel_m` and the gaps in a train are."""
    detect_km: float | None = None
    """From this distance to go trains are detected on the road (None: detection is off)."""
    makeup: tuple[TeamShare, ...] | None = None
    """When the group sprinting for the win is small and clear (see `race.leadout.contention`):
    its riders by team, teams in road order by their first rider. None otherwise."""
    makeup_clear_s: float | None = None
    """How far that small group is clear of the next rider (s; None: nobody behind it)."""
    judged: bool = True
    """False when the frames are too far apart for a wheel to be judged: no state is claimed."""
    result: tuple[Bib, ...] = ()
    """Once the winner is in: the first riders across the line, in order, from their last fixes
    (provisional; see `race.leadout.result`)."""
