"""The `[leadout]` section of the configuration: the finale, the wheel distances, the trains."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator, model_validator

from race.models import Bib, Settings


class TrainSettings(Settings):
    """A lead-out train declared in the configuration."""

    team: str = Field(min_length=1)
    """Team code, as the feed spells it."""
    sprinter: Bib
    leadout: tuple[Bib, ...] = ()
    """Lead-out riders in their planned order, first man first, last man last."""

    @model_validator(mode="after")
    def _distinct(self) -> TrainSettings:
        if self.sprinter in self.leadout:
            raise ValueError("the sprinter cannot also be one of his lead-out men")
        if len(set(self.leadout)) != len(self.leadout):
            raise ValueError("a lead-out rider is listed twice")
        return self


class LeadoutSettings(Settings):
    finale_km: float = Field(default=10.0, gt=0, le=50)
    """The lead-out picture is live from this distance to go (the head of the bunch)."""
    detect_km: float = Field(default=15.0, ge=0, le=50)
    """Trains nobody declared are detected on the road from this distance to go (0: never)."""
    wheel_m: float = Field(default=5.0, gt=0, le=50)
    """A sprinter within this distance of his last man is on the wheel."""
    lost_wheel_m: float = Field(default=15.0, gt=0, le=200)
    """Beyond this distance he has lost the wheel (in between: the gap is opening)."""
    out_of_position_rank: int = Field(default=30, ge=2, le=200)
    """In the finale a sprinter further back than this is out of position."""
    trains: tuple[TrainSettings, ...] = ()
    """Declared trains; teams not declared are taken from the feed's roles or detected."""

    @field_validator("lost_wheel_m")
    @classmethod
    def _beyond_the_wheel(cls, value: float, info: ValidationInfo) -> float:
        wheel = info.data.get("wheel_m")
        if wheel is not None and value <= wheel:
            raise ValueError(f"must be larger than wheel_m ({wheel:g})")
        return value

    @property
    def watch_km(self) -> float:
        """From this distance to go every frame counts: trains are detected and followed."""
        return max(self.finale_km, self.detect_km)
