"""The sprint's result, as the data has it: once the winner is in, the first riders across the
line in the order of their finishes (`race.results`, the one place it is read), each timed from
his last fixes before it (`race.tracking.finish`). Provisional: at the feed's cadence the last
metres are extrapolated, and the official order is the photo finish's."""

from __future__ import annotations

from race.models import Bib
from race.results import finish_order
from race.situation import Finale
from race.tracking.tracks import Placed

RESULT_PLACES = 10
"""The places of the sprint's result kept: the top ten, as a stage's result is first given."""


def sprint_result(finale: Finale, finished: list[Placed]) -> Finale:
    """The last picture of the finale with the first riders across the line (at most
    `RESULT_PLACES`, in finishing order; `finished` is ordered by finish time)."""
    result: tuple[Bib, ...] = finish_order(finished, RESULT_PLACES)
    if result == finale.result:
        return finale
    return finale.model_copy(update={"result": result})
