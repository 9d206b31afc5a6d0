"""The simulated stage as feed events (`simulate`), one at a time and resumable
(`SimulatedStage`), sparse before a replay's start point if asked (`Sparse`)."""

from __future__ import annotations

import copyreg
import io
import pickle
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from feeds.simulation.scenarios import build_script
from feeds.simulation.script import Script
from feeds.simulation.world import Playback
from race.models import FeedEvent, StartList, Telemetry


def simulate(
    scenario: str,
    seed: int,
    cadence_s: float = 6,
    noise_m: float = 4,
    *,
    sparse: Sparse | None = None,
) -> SimulatedStage:
    """The simulated stage as feed events: `StartList` first, then `Telemetry` frames every
    `cadence_s` of race time and `RaceNews`, in time order, until the last rider has finished.

    With `sparse`, the frames are fewer while the head of the race is more than
    `sparse.until_km` from the line (see `Sparse`); from there on they are those of the whole
    stage. Deterministic: the same arguments give the same events.
    """
    if cadence_s <= 0:
        raise ValueError("cadence_s must be > 0")
    if noise_m < 0:
        raise ValueError("noise_m must be >= 0")
    script = build_script(scenario, seed)  # raises now for an unknown scenario
    return SimulatedStage(script, float(cadence_s), float(noise_m), sparse)


@dataclass(frozen=True)
class Sparse:
    """A stretch of the stage sent as fewer frames, for a replay that starts further on (a skip
    to the finale).

    The race is still played at every cadence step (who rides in which group, the bunch's
    shuffles, the random draws), so the frames from the end of the stretch on are those of the
    whole stage once the riders' places in their groups have settled (a minute or two); only
    one frame every `every_s` of race time is sent in it. Every frame is sent where the
    engine measures something from consecutive frames: around the start (the race's start
    time), around riders changing groups (a new group's gap, the alerts it raises), and over
    the `history_km` every group rides before the head reaches `until_km` to go (the trends),
    as well as where the head passed each group's place then (the gaps).
    """

    until_km: float
    """Where the sparse stretch ends at the latest: the head of the race's km to go."""
    every_s: float = 60.0
    """Race time between two frames of the sparse stretch."""
    dense_s: float = 300.0
    """Every frame is sent from this long before the start to this long after, and from this
    long before riders change groups to this long after."""
    history_km: float = 12.0
    """Road each group rides at the full cadence before the head is at `until_km` to go: a
    gap's trend is fitted over its last 10 km (`[gaps] trend_window_km`)."""

    def __post_init__(self) -> None:
        for name in ("until_km", "dense_s", "history_km"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0")
        if not self.every_s > 0:
            raise ValueError("every_s must be > 0")


class SimulatedStage(Iterator[FeedEvent]):
    """The stage's events, one at a time: the start list, then each frame preceded by the news
    due, until the last rider is gone, then the news left.

    Plain state from one event to the next, so it pickles between two (`pickled`): a replay
    can be taken up again where it was (`tui.startpoint`), with the same events to come.
    """

    def __init__(
        self, script: Script, cadence_s: float, noise_m: float, sparse: Sparse | None
    ) -> None:
        self._playback = Playback(script, cadence_s, noise_m, sparse)
        self._due: deque[FeedEvent] = deque(
            [StartList(stage=script.stage, teams=script.roster.teams, riders=script.roster.riders)]
        )
        self._news = list(script.news)
        self._news_i = 0

    def pickled(self) -> bytes:
        """The stage where it is, pickled; `pickle.loads` gives it back."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        # The script's read-only mappings do not pickle by themselves.
        pickler.dispatch_table = copyreg.dispatch_table | {MappingProxyType: _pickle_mapping}
        pickler.dump(self)
        return buffer.getvalue()

    def __next__(self) -> FeedEvent:
        while not self._due:
            if self._playback.remaining <= 0:
                if self._news_i >= len(self._news):
                    raise StopIteration
                self._due.extend(self._news[self._news_i :])
                self._news_i = len(self._news)
            else:
                self._step()
        return self._due.popleft()

    def _step(self) -> None:
        t, rows = self._playback.step()
        news = self._news
        while self._news_i < len(news) and news[self._news_i].t <= t:
            self._due.append(news[self._news_i])
            self._news_i += 1
        if rows:
            self._due.append(Telemetry.model_validate({"t": t, "riders": rows}))


def _pickle_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, tuple[Any, ...]]:
    return _read_only, (dict(mapping),)


def _read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)
