"""The trains' places from 3 km to go: a sprinter dropping out of the top 20 is announced."""

from __future__ import annotations

from collections.abc import Collection

from race.alerts import AlertLog, Hysteresis
from race.finale import SprinterState, Train
from race.situation import Roster
from race.wording import km, ordinal

TOP_RANK_AT_3KM = 20
"""From 3 km to go, a train whose sprinter is further back than this is announced."""
TOP_BAND = 3
"""Once out of the top 20, a train is back in it from 17th: ranks swap with every frame."""
CHECK_TOP_KM = 3.0
"""Where the trains' places start to be announced."""
ENGAGED: frozenset[SprinterState] = frozenset({"on_wheel", "gap_opening", "boxed"})
"""States in which a sprinter is riding in his train (one that broke up is not announced)."""


class TopWatch:
    """Which trains are out of the top 20, with hysteresis, and the alerts when one drops out."""

    def __init__(self) -> None:
        self._outside: Hysteresis[bool] = Hysteresis(frames=2)

    def forget(self, team: str) -> None:
        self._outside.forget(team)

    def check(
        self,
        t: float,
        head_km: float,
        trains: list[Train],
        engaged: Collection[str],
        roster: Roster,
        alerts: AlertLog,
    ) -> None:
        """A train in the fight whose sprinter drops out of the top 20 from 3 km to go (or is
        already out of it at 3 km) is announced, once per time it drops out. Only a train
        riding together counts: one that broke up is no longer a train out of the top 20."""
        for train in trains:
            sprinter, rank = train.sprinter, train.sprinter_rank
            if train.team not in engaged or train.status not in ENGAGED:
                continue
            if sprinter is None or rank is None:
                continue
            before = self._outside.get(train.team)
            limit = TOP_RANK_AT_3KM - (TOP_BAND if before else 0)
            outside, changed_from = self._outside.update(train.team, rank > limit)
            if outside and (before is None or changed_from is False):
                alerts.raise_(
                    t,
                    "train_out_of_top",
                    f"{train.team} train out of the top {TOP_RANK_AT_3KM} at {km(head_km)} km "
                    f"({roster.name(sprinter)} {ordinal(rank)})",
                    "warning",
                    key=f"train_out_of_top:{train.team}",
                )
