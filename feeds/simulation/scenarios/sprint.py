"""The flat stage's bunch sprint, as scripted: who pulls off where, how close the wheels are,
who crosses the line in which order, and how far the lead-out men drop back.

The last phase of `flat` to draw from the stage's generator, in its own module because the
trains' choreography is a job of its own; `choreography` plays it back.
"""

from __future__ import annotations

import random

from feeds.simulation.facts import WheelLoss
from feeds.simulation.roster import Roster
from feeds.simulation.script import Finale
from race.models import Bib


def sprint_finale(
    rng: random.Random,
    ro: Roster,
    order: tuple[str, ...],
    winner: Bib,
    wheel_loss: WheelLoss,
) -> Finale:
    """The finale of the trains in `order` (front first): the first train's men peel off, one
    sprinter loses his last man's wheel, the sprinters cross behind `winner` in an order close
    to their trains', and the lead-out men sit up."""
    trains = tuple(ro.trains[code] for code in order)
    peelers = trains[0][:-2]
    peels = {
        b: round(3.0 - i * (2.25 / max(len(peelers) - 1, 1)), 2) for i, b in enumerate(peelers)
    }
    others_in_sprint = [t[-1] for t in trains if t[-1] not in (winner, wheel_loss.sprinter)]
    others_in_sprint.sort(key=lambda b: order.index(ro.team_of(b)) + rng.gauss(0.0, 1.2))
    finish_order = (winner, *others_in_sprint)
    sit_up: dict[Bib, float] = {}
    for train in trains:
        for b in train[:-1]:
            last_man = b == train[-2]
            sit_up[b] = rng.uniform(5.0, 11.0) if last_man else rng.uniform(10.0, 25.0)
        if train[-1] == wheel_loss.sprinter:
            # Gapped, he can only follow: he drops back as far as his last man.
            sit_up[train[-1]] = sit_up[train[-2]]
    for b in wheel_loss.intruders:
        sit_up[b] = rng.uniform(4.0, 10.0)
    return Finale(
        trains=trains,
        arrive_km=tuple(round(14.0 - 0.45 * k, 2) for k in range(len(trains))),
        move_up_km=15.0,
        block_km=10.0,
        spacing_m={b: rng.uniform(1.2, 1.7) for t in trains for b in t},
        train_gap_m=tuple(rng.uniform(2.5, 5.0) for _ in trains),
        peels=peels,
        wheel_loss=wheel_loss,
        release_km=0.22,
        finish_order=finish_order,
        finish_gaps_m=(0.0, *(rng.uniform(0.3, 2.5) for _ in finish_order[1:])),
        sit_up_m=sit_up,
    )
