"""The `[time_limit]` section of the configuration: when a group's margin to the cut is tight,
in danger, and who is watched."""

from __future__ import annotations

from pydantic import Field, model_validator

from race.models import Bib, Settings


class TimeLimitSettings(Settings):
    tight_margin_s: float = Field(default=300.0, gt=0)
    """A group whose projected margin to the cut is below this is `tight`."""
    danger_margin_s: float = Field(default=120.0, gt=0)
    """Below this it is `danger`; below zero, `outside`."""
    watch: tuple[Bib, ...] = ()
    """Riders watched against the limit; empty: each team's sprinter (roles from the feed, or
    the lead-out trains' sprinters), and when nobody is named, every rider behind the head."""
    status_band_s: float = Field(default=15.0, ge=0, le=120)
    """A status gets better only once the margin clears its threshold by this many seconds, so
    a margin hovering at a threshold does not flap between two statuses."""
    reinstated: tuple[Bib, ...] = ()
    """Riders outside the limit whom the jury reinstated: listed apart, not as outside."""

    @model_validator(mode="after")
    def _ordered(self) -> TimeLimitSettings:
        if self.danger_margin_s >= self.tight_margin_s:
            raise ValueError("danger_margin_s must be smaller than tight_margin_s")
        return self
