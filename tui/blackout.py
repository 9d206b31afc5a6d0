"""What the screen shows while the feed is silent: the last situation, marked stale, and where the
head of the race probably is now.

Textual-free: the header uses it, and tests check it directly.
"""

from __future__ import annotations

from race.models import FeedStatus
from race.situation import Situation

STALE_AFTER_S = 15.0
"""Data older than this is shown as stale, whatever the feed says (Race Center frames come
every ~6 s: two missed frames and a margin)."""
SILENT_STATES = frozenset({"stale", "reconnecting", "error"})


def in_blackout(feed: FeedStatus | None, age_s: float | None, *, paused: bool) -> bool:
    """Whether the data on screen is old because the feed is silent (not paused, not ended)."""
    if paused or feed is None or age_s is None:
        return False
    if feed.state in SILENT_STATES:
        return True
    return feed.state == "live" and age_s > STALE_AFTER_S


def estimated_head_km(situation: Situation, age_s: float) -> float | None:
    """The head of the race's km to go now, if it kept its last speed for `age_s` seconds.

    None when there is nothing to extrapolate from (no speed, or the race is won).
    """
    km, speed = situation.head_km_to_finish, situation.head_speed_kmh
    if km is None or not speed or speed <= 0 or situation.winner_finished:
        return None
    return max(0.0, km - speed * age_s / 3600.0)
