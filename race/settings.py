"""Settings of the engine: everything the analysis can be tuned with, validated once."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from race.models import Bib
from race.timelimit.rules import RuleSet


class TrainSettings(BaseModel):
    """A lead-out train declared in the configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team: str
    """Team code."""
    sprinter: Bib
    leadout: tuple[Bib, ...] = ()
    """Lead-out riders in their planned order, first man first, last man last."""


class EngineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    split_threshold_s: float = Field(default=3.0, gt=0)
    """A new group starts where the gap to the rider ahead exceeds this.

    The UCI finish rule is 1 s; 3 s on designated sprint stages."""
    my_team: str | None = None
    marked: tuple[Bib, ...] = ()
    """Riders whose every move is reported (dropped from their group...)."""
    hold_missing_s: float = Field(default=90.0, ge=0)
    """A rider missing from frames keeps his last gap this long before he is no longer tracked."""
    trend_window_km: float = Field(default=10.0, gt=0)
    trend_min_km: float = Field(default=2.0, gt=0)
    """Trends need at least this much road behind them."""
    gap_alert_s_per_10km: float = Field(default=30.0, gt=0)
    """A gap opening or closing faster than this is announced."""

    # Time limit
    rules: RuleSet | None = None
    """The time-limit rule set (None: no time-limit projection)."""
    coefficient: int | str | None = None
    """Stage coefficient or category; overrides the feed's."""
    extra_points: float = 0.0
    """Percentage points the organiser added for this stage."""
    fixed_percent: float | None = None
    """Percentage for a time trial (coefficient 6), decided per stage."""
    tight_margin_s: float = Field(default=300.0, gt=0)
    danger_margin_s: float = Field(default=120.0, gt=0)
    watch: tuple[Bib, ...] | None = None
    """Riders watched against the time limit; None: each team's sprinter."""
    status_band_s: float = Field(default=15.0, ge=0)
    """A group's time-limit status gets better only once its margin clears the threshold by
    this much, so a margin hovering at a threshold does not flap between two statuses."""
    reinstated: tuple[Bib, ...] = ()
    """Riders outside the limit whom the jury reinstated."""

    # Lead-out
    finale_km: float = Field(default=10.0, gt=0)
    trains: tuple[TrainSettings, ...] = ()
    wheel_m: float = Field(default=5.0, gt=0)
    """A sprinter within this distance of his last man is on the wheel."""
    lost_wheel_m: float = Field(default=15.0, gt=0)
    """Beyond this distance the wheel is lost."""
    detect_km: float = Field(default=15.0, ge=0)
    """Trains nobody declared are detected on the road from this distance to go (0: never)."""
    out_of_position_rank: int = Field(default=30, ge=2)
    """In the finale a sprinter further back than this is out of position."""

    @model_validator(mode="after")
    def _wheel_distances(self) -> EngineSettings:
        if self.lost_wheel_m <= self.wheel_m:
            raise ValueError("lost_wheel_m must be larger than wheel_m")
        return self
