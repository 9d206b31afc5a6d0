"""The `[gaps]` section of the configuration: how groups are tracked and their gaps judged."""

from __future__ import annotations

from pydantic import Field

from race.models import Settings


class GapsSettings(Settings):
    trend_window_km: float = Field(default=10.0, gt=0, le=100)
    """A group's trend is fitted over this much road behind it."""
    trend_min_km: float = Field(default=2.0, gt=0, le=50)
    """No trend is shown before a group has this much road behind it."""
    gap_alert_s_per_10km: float = Field(default=30.0, gt=0)
    """A gap to the peloton opening or closing faster than this is announced."""
    hold_missing_s: float = Field(default=90.0, ge=0, le=3600)
    """A rider missing from the feed keeps his gap this long (before the last frame that
    carried any rider), then is no longer tracked; lost in the final 3 km, until he finishes
    (`race.tracking.tracks.LAST_KM_RULE_KM`)."""
