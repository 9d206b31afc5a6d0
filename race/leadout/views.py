"""The trains as the Situation shows them, beyond what a reading of one train gives: detected
trains whose sprinter is not known yet, my team's train out of the sprint, their order, and
whether the frames allow a wheel to be judged at all."""

from __future__ import annotations

import math
from collections.abc import Mapping

from race.leadout.bunch import BunchFrame
from race.leadout.reading import in_order, train_riders
from race.leadout.settings import LeadoutSettings
from race.models import Bib
from race.situation import Finale, TeamShare, Train

MOVE_PER_WHEEL = 40.0
"""A wheel is judged only while the bunch moves at most 40 wheel distances between two frames
(200 m for a 5 m wheel: 12 s at 60 km/h). Riders of one train hold one pace to within ~2.5 %
(1.5 km/h at 60 km/h); over a longer move their places drift apart by more than a wheel, and
two frames cannot tell a held wheel from one lost and taken back in between (a 36 s hole in
the feed: ~470 m)."""


def judgeable(move_m: float | None, wheel_m: float) -> bool:
    """Whether a wheel can be judged when the bunch moves `move_m` between two frames (unknown:
    nothing says it cannot)."""
    return move_m is None or move_m <= MOVE_PER_WHEEL * wheel_m


def rank_now(frame: BunchFrame, train: Train) -> int:
    """Where the train's first rider is in `frame`; his place on the road when out of the
    sprint."""
    first = frame.places.get(train.riders[0].bib)
    return first.rank if first is not None and train.in_contention else train.front_rank


def front_first(trains: list[Train], seen: BunchFrame) -> list[Train]:
    """The trains front first by where each one's first rider is now (`seen`: this frame's own
    fixes), their ranks made one ranking that agrees with that order (`ranked_as_listed`)."""
    return ranked_as_listed(sorted(trains, key=lambda tr: (rank_now(seen, tr), tr.team)))


def ranked_as_listed(trains: list[Train]) -> list[Train]:
    """`trains` (front first, in this frame's order) with the ranks of those in the sprint made
    one ranking: no train listed below another shows its first rider ahead of it, no two
    riders show one place, and each train keeps its order; the smoothed places changed as
    little as possible (`in_order` over the riders merged, nearest the front first).

    The list's order is this frame's own fixes, the ranks the smoothed places, and each train's
    ranks are kept in its order on their own: two trains riding interleaved could both show an
    "11th", and a train listed first show "7th" above a "5th"."""
    racing = [train for train in trains if train.in_contention]
    # Each rider's train and smoothed place, in the one order: each train's riders in its
    # order, a train's first rider after the previous train's, otherwise nearest the front.
    merged: list[tuple[int, int]] = []
    taken = [0] * len(racing)
    started = 0
    for _ in range(sum(len(train.riders) for train in racing)):
        best: tuple[int, int] | None = None
        for i, train in enumerate(racing):
            j = taken[i]
            if j == len(train.riders) or (j == 0 and i != started):
                continue
            if best is None or train.riders[j].rank < best[1]:
                best = (i, train.riders[j].rank)
        assert best is not None  # The next train's first rider is always there to take.
        merged.append(best)
        started += taken[best[0]] == 0
        taken[best[0]] += 1
    ranks: list[list[int]] = [[] for _ in racing]
    for (i, _), rank in zip(merged, in_order([place for _, place in merged]), strict=True):
        ranks[i].append(rank)
    shown = iter(ranks)
    out: list[Train] = []
    for train in trains:
        if train.in_contention:
            placed = list(zip(train.riders, next(shown), strict=True))
            riders = tuple(
                r if r.rank == k else r.model_copy(update={"rank": k}) for r, k in placed
            )
            sprinter_rank = next(
                (k for r, k in placed if r.bib == train.sprinter), train.sprinter_rank
            )
            if riders != train.riders or sprinter_rank != train.sprinter_rank:
                update = {"riders": riders, "sprinter_rank": sprinter_rank}
                train = train.model_copy(update=update)
        out.append(train)
    return out


def unconfirmed_train(
    team: str,
    riders: tuple[Bib, ...],
    frame: BunchFrame,
    speed_kmh: float | None,
    my_team: str | None,
) -> Train:
    """A team together at the front whose sprinter the data does not show yet: its riders in
    road order, no sprinter named and no state claimed."""
    return Train(
        team=team,
        sprinter=None,
        riders=train_riders(riders, None, frame, speed_kmh),
        status=None,
        sprinter_rank=None,
        my_team=team == my_team,
        source="detected",
    )


def with_places_on_road(train: Train, outside: Mapping[Bib, int]) -> Train:
    """My team's train out of the sprint for the win, with its riders' real places on the road
    (the bunch's ranks count only the riders in the sprint)."""
    if not any(r.bib in outside for r in train.riders):
        return train
    riders = tuple(
        r.model_copy(update={"rank": outside[r.bib]}) if r.bib in outside else r
        for r in train.riders
    )
    sprinter_rank = outside.get(train.sprinter, train.sprinter_rank) if train.sprinter else None
    return train.model_copy(
        update={"riders": riders, "sprinter_rank": sprinter_rank, "in_contention": False}
    )


def finale_view(
    settings: LeadoutSettings,
    head_km: float | None,
    active: bool,
    cadence: float | None,
    *,
    resolution_m: float | None = None,
    noise_m: float | None = None,
    wheel_sigma_m: float | None = None,
    makeup: tuple[TeamShare, ...] | None = None,
    clear_s: float | None = None,
    judged: bool = True,
) -> Finale:
    """The finale's part of the situation: how precise the picture is, and the settings'
    distances it is read against."""
    return Finale(
        makeup=makeup,
        makeup_clear_s=clear_s if clear_s is None or math.isfinite(clear_s) else None,
        judged=judged,
        active=active,
        finale_km=settings.finale_km,
        head_km_to_finish=head_km,
        resolution_m=resolution_m,
        cadence_s=cadence,
        noise_m=noise_m,
        wheel_sigma_m=wheel_sigma_m,
        detect_km=settings.detect_km or None,
    )
