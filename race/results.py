"""The stage's result as the telemetry has it, once the winner is in: the first riders across
the line with their times (from each rider's last fixes before it, `race.tracking.finish`), the
gaps of the groups that have finished, and the riders outside the time limit. Provisional: at
the feed's cadence the last metres are extrapolated; the official result is the judges'.

The one place the finishing order is read: the lead-out's sprint result
(`race.leadout.result`) is its first places.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from race.models import Bib, Stage
from race.situation import GroupView, LostRider, Situation, TimeLimit
from race.story import PROVISIONAL_BASIS, FinishedGroup, ResultPlace, StageResults
from race.tracking.field import Field
from race.tracking.start import start_time
from race.tracking.tracks import Placed

RESULT_PLACES = 20
"""The places of the stage's result shown: the first twenty, as the stage's result is first
given."""


def finish_order(finished: Sequence[Placed], places: int) -> tuple[Bib, ...]:
    """The first `places` riders across the line (`finished` is ordered by finish time)."""
    return tuple(placed[2] for placed in finished[:places])


def stage_results(
    finished: Sequence[Placed],
    on_road: int,
    start_t: float | None,
    groups: Sequence[GroupView],
    time_limit: TimeLimit,
    basis: str = PROVISIONAL_BASIS,
    lost: Sequence[LostRider] = (),
    raced: Callable[[float, float], float] | None = None,
) -> StageResults:
    """The result so far, from the riders across the line (by finish time), the number still
    on the road, the real start, the situation's groups and its time limit; `basis` says how
    it was found, `lost` who the feed lost on the road, `raced` the race's time between two
    instants (without the time it stood: `Stops.raced_s`; by default all of it).

    The riders of a group across the line share its first rider's time, as the UCI's finish
    rule gives them (DESIGN.md, "Groups"): the groups are the situation's, split as on the
    road (`split_threshold_s`), so the times agree with "Groups across the line"."""
    across = [g for g in groups if g.finished and g.riders]
    first_of = {bib: g.riders[0] for g in across for bib in g.riders}
    crossing = {bib: (gap, track.finish_t) for gap, _, bib, track in finished}

    def timed(bib: Bib, gap: float, finish_t: float | None) -> tuple[float, float | None]:
        """The gap and time of `bib`'s group's first rider (his own, in no group yet)."""
        shared, crossed = crossing.get(first_of.get(bib, bib), (gap, finish_t))
        if crossed is None or start_t is None:
            return round(shared, 1), None
        return round(shared, 1), raced(start_t, crossed) if raced else crossed - start_t

    places = []
    for place, (gap, _, bib, track) in enumerate(finished[:RESULT_PLACES], start=1):
        shared, time_s = timed(bib, gap, track.finish_t)
        places.append(ResultPlace(place=place, bib=bib, time_s=time_s, gap_s=shared))
    finished_groups = []
    for g in across:
        shared, time_s = timed(g.riders[0], g.gap_s, None)
        finished_groups.append(
            FinishedGroup(name=g.name, riders=g.size, gap_s=shared, time_s=time_s)
        )
    return StageResults(
        places=tuple(places),
        groups=tuple(finished_groups),
        outside=time_limit.finished_outside,
        cut_s=time_limit.cut_s,
        final=on_road == 0,
        basis=basis,
        lost=tuple(lost),
    )


def results_now(
    field: Field, t: float, stage: Stage | None, last: Situation
) -> StageResults | None:
    """The result at `t` (the engine's last frame) with the last situation's groups and time
    limit; None before the winner has finished."""
    if field.winner is None:
        return None
    finished, road = field.placed(t)
    start_t, _ = start_time(field.head, stage)
    doubt = field.winner.doubt
    basis = f"{PROVISIONAL_BASIS} · the winner a guess ({doubt})" if doubt else PROVISIONAL_BASIS
    lost = field.lost()
    return stage_results(
        finished, len(road), start_t, last.groups, last.time_limit, basis, lost, field.stops.raced_s
    )
