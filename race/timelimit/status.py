"""A group's status against the cut (safe, tight, danger, outside), and how it may change.

A directeur sportif must never be told "safe" falsely, nor be spammed: a status gets worse as
soon as the projection says so (seen in `STATUS_FRAMES` frames), better only with a margin to
spare: `status_band_s` and the projection's own uncertainty (`UNCERTAIN_SHARE`). Whatever the
hysteresis holds, a status is never more than one step better than its margin (`settle`).
"""

from __future__ import annotations

from race.situation import LimitStatus
from race.timelimit.groups import GroupState
from race.timelimit.settings import TimeLimitSettings

STATUS_FRAMES = 2
"""A group's status changes once the new one has been seen in this many frames in a row."""
UNCERTAIN_SHARE = 0.45
"""A projection is uncertain by about this share of the losses and gains it still counts on
(each kind of road's, added in absolute value): before a status gets better, the margin must
clear the threshold by that much on top of `status_band_s`.

A directeur sportif must not be told "safe" while the road left can still take the margin
away. Measured frame by frame on the simulated mountain stage over ten seeds
(bench/timelimit_projection.py), the 90th percentile of the projected margin's error against
the final margin is 0.12-0.22 of that spread with 60-100 km to go, and 0.38-0.47 between 60
and 30 km to go, where the last climb holds what the group's pace so far does not show (a
crisis, a chase): this share covers nearly all of it. Near the line the spread, and so the
extra clearance, falls to a few seconds. A worse status needs no such evidence."""

STATUSES: tuple[LimitStatus, ...] = ("safe", "tight", "danger", "outside")
"""From the best to the worst: a status's index is its severity."""
SEVERITY: dict[LimitStatus, int] = {status: i for i, status in enumerate(STATUSES)}


def status_for(margin: float, tight: float, danger: float) -> LimitStatus:
    if margin < 0:
        return "outside"
    if margin < danger:
        return "danger"
    if margin < tight:
        return "tight"
    return "safe"


def settle(
    state: GroupState,
    margin: float,
    uncertainty: float,
    limits: TimeLimitSettings,
    forced: LimitStatus | None = None,
) -> LimitStatus:
    """The group's status: worse past a threshold once seen in `STATUS_FRAMES` frames, better
    only once the margin clears the threshold by `status_band_s` plus the projection's
    `uncertainty`.

    While the group is provisional (formed lately, with the status its riders came with) only
    a better status is held: a worse one counts as for any group. And while a worse status
    waits for its second frame, the status shown is at most one step better than the margin:
    the wait hides a margin hovering at one threshold, never a margin past two (a group is
    never "safe" with a margin in danger or outside, never "tight" outside).
    """
    tight, danger = limits.tight_margin_s, limits.danger_margin_s
    raw = forced or status_for(margin, tight, danger)
    previous = state.status
    if previous is None:
        state.status = raw
        return raw
    if forced is None and SEVERITY[raw] < SEVERITY[previous]:
        if state.provisional:
            raw = previous
        else:
            relaxed = status_for(margin - limits.status_band_s - uncertainty, tight, danger)
            raw = relaxed if SEVERITY[relaxed] < SEVERITY[previous] else previous
    if raw == previous:
        state.pending, state.pending_count = None, 0
        return previous
    if state.pending == raw:
        state.pending_count += 1
    else:
        state.pending, state.pending_count = raw, 1
    if state.pending_count >= STATUS_FRAMES:
        state.status = raw
        state.pending, state.pending_count = None, 0
        return raw
    floor = STATUSES[SEVERITY[raw] - 1] if SEVERITY[raw] > 0 else raw
    if SEVERITY[previous] < SEVERITY[floor]:
        # Past two thresholds at once: one step now, the last once it is seen again.
        state.status = floor
        return floor
    return previous
