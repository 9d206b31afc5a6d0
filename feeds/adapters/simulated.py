"""The `simulated` feed: a scripted, deterministic stage, played back at any speed.

The embedded default feed: it needs no network and no recording, and the same seed always gives
the same race, so it serves demos, tests and the documentation. The stage itself is built by
`feeds.simulation`; this adapter only paces it (`ReplayClock`) and reports its status.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from itertools import chain
from typing import ClassVar, Literal

from pydantic import Field

from feeds.base import Capabilities, FeedAdapter, FeedOptions, Resumable
from feeds.pacing import FeedTimeline, GoAhead, ReplayClock
from feeds.quirks import Quirk, apply_quirks
from race.models import FeedEvent, FeedStatus, RaceNews, Telemetry


class SimulatedOptions(FeedOptions):
    """Options of the simulated feed (`[feed.simulated]` in `config.toml`)."""

    scenario: Literal["flat", "hilly", "mountain"] = "flat"
    """The stage to simulate: "flat" (a break caught in the last 15 km, lead-out trains, a
    bunch sprint), "hilly" (a break of 30-35 splitting on the climbs, a group of about ten
    sprinting for the win, the peloton 12 minutes down, stragglers outside the time limit) or
    "mountain" (four climbs, the favourites splitting, a grupetto of sprinters racing the time
    limit)."""

    seed: int = 2026
    """Same seed, same race: who goes in the break, the order of the trains, who wins. The riders
    and teams are the same whatever the seed."""

    speed: float = Field(default=20.0, ge=0, le=100)
    """Replay speed: 1 = real time, 20 = twenty times faster, 0 = as fast as possible."""

    cadence_s: float = Field(default=6.0, ge=1, le=60)
    """Seconds of race time between two frames of rider positions (real feeds: about 6)."""

    noise_m: float = Field(default=4.0, ge=0, le=100)
    """GPS noise on the riders' positions: standard deviation in metres (0: exact positions)."""

    skip_to_km: float | None = Field(default=None, ge=0)
    """Jump to the finale: frames before the head of the race reaches this many km to go are
    delivered at once, then the replay runs at `speed`. The engine still receives the stage's
    history, as fewer frames where nothing changes (about one a minute; every frame at speed
    0), so that the start point is on screen at once. None plays the stage from the
    neutralised start."""

    quirks: tuple[Quirk, ...] = ()
    """Quirks of real feeds to reproduce on the stage, each a table with its `kind`:
    "pre_start" (frames at the start village before the stream, the km to go stuck),
    "previous_stage" (yesterday's last frame first), "cadence" (runs of frames, then holes),
    "vanish" (a rider missing for a while), "freeze" (a rider's last fix sent again for a
    while), "stuck" (a rider's km to go stuck while he rides on), "thin" (frames with only
    part of the field), "ghost" (one fix kilometres away), "resync" (a rider moved back for
    good), "future_frame" (one frame stamped a day ahead), "milliseconds" (one frame stamped
    in ms), "bad_number" (NaN, infinities, 1e308 in a field), "speeds" (every speed 0, or in
    metres a second), "shift" (the whole stage a day off), "relay" (the next stages follow).
    Each kind's options are in `feeds.quirks`; the `seed` seeds them too."""


class SimulatedFeed(FeedAdapter[SimulatedOptions], Resumable):
    """A simulated stage (see `feeds.simulation`), paced by a replay clock that can pause."""

    name: ClassVar[str] = "simulated"
    Options: ClassVar[type[FeedOptions]] = SimulatedOptions
    capabilities: ClassVar[Capabilities] = Capabilities(pause=True, seek=True)

    def __init__(self, options: SimulatedOptions) -> None:
        super().__init__(options)
        self._clock = ReplayClock(options.speed)
        self._skip_clock = ReplayClock(0)
        """Delivers the skipped part of the stage at once, but still honours a pause."""
        self._ahead = GoAhead(self._clock)
        self._at_start_point: tuple[FeedEvent, Iterator[FeedEvent], FeedTimeline] | None = None
        """At the end of the skip: the first event after it, the stage, its pacing."""
        self._start_from: bytes | None = None
        """The start point to take the replay up at, if any (`start_from`)."""

    def pause(self) -> None:
        self._clock.pause()
        self._skip_clock.pause()

    def resume(self) -> None:
        self._clock.resume()
        self._skip_clock.resume()

    @property
    def speed(self) -> float:
        return self._clock.speed

    def set_speed(self, speed: float) -> None:
        self._clock.set_speed(speed)

    def go_ahead_to_km(self, km: float) -> None:
        self._ahead.request(km)

    def start_point_key(self) -> str | None:
        # With quirks or at speed 0 the skip is not sparse (see `stage`), and quirked streams
        # are not kept as plain state: those replays are played from the start each time.
        o = self.options
        if o.skip_to_km is None or o.speed <= 0 or o.quirks:
            return None
        return f"simulated {o.model_dump_json(exclude={'speed'})}"

    def start_point(self) -> bytes | None:
        if self._at_start_point is None or self.start_point_key() is None:
            return None
        from feeds.simulation.stage import SimulatedStage

        first, stage, pacing = self._at_start_point
        if not isinstance(stage, SimulatedStage):
            return None
        return pickle.dumps((first, stage.pickled(), pacing), protocol=pickle.HIGHEST_PROTOCOL)

    def start_from(self, point: bytes) -> None:
        self._start_from = point

    def stage(self) -> Iterable[FeedEvent]:
        """The simulated stage's events, unpaced (played by `events`).

        With `skip_to_km`, the stretch before it is sparse (`feeds.simulation.Sparse`): the
        engine goes through fewer frames before the first picture, to the same situation there,
        and the frames from there on are the whole stage's. Not with quirks (they act on the
        frames as a real feed sends them), nor at speed 0: a reading as fast as possible
        (`ardoise situation`, tests) gets every frame, at any feed time it stops at.
        """
        # Imported here: building the simulation's tables is not needed for the first frame.
        from feeds.simulation import Sparse, simulate

        o = self.options
        watched = o.skip_to_km is not None and o.speed > 0 and not o.quirks
        sparse = Sparse(until_km=o.skip_to_km) if watched and o.skip_to_km is not None else None
        stage = simulate(
            o.scenario, o.seed, cadence_s=o.cadence_s, noise_m=o.noise_m, sparse=sparse
        )
        return apply_quirks(stage, o.quirks, o.seed) if o.quirks else stage

    async def events(self) -> AsyncIterator[FeedEvent]:
        o = self.options
        quirks = f", {len(o.quirks)} quirks" if o.quirks else ""
        live = FeedStatus(
            state="live",
            at=time.time(),
            detail=f"simulated {o.scenario} stage, seed {o.seed}{quirks}",
        )
        skipping = o.skip_to_km is not None
        stage: Iterator[FeedEvent]
        if self._start_from is not None:
            yield live
            first, pickled, pacing = pickle.loads(self._start_from)
            stage, skipping = chain([first], pickle.loads(pickled)), False
        elif o.skip_to_km is not None:
            # "connecting" until the skip is done: the app draws the race from there on.
            yield live.model_copy(
                update={"state": "connecting", "detail": f"skipping to {o.skip_to_km:g} km to go"}
            )
            stage, pacing = iter(self.stage()), FeedTimeline()
        else:
            yield live
            stage, pacing = iter(self.stage()), FeedTimeline()
        for event in stage:
            if isinstance(event, Telemetry | RaceNews):
                if isinstance(event, Telemetry) and skipping and o.skip_to_km is not None:
                    skipping = _head_km(event) > o.skip_to_km
                    if not skipping:
                        self._at_start_point = (event, stage, pacing)
                        yield live.model_copy(update={"at": time.time()})
                        self._at_start_point = None
                ahead = isinstance(event, Telemetry) and self._ahead.passing(event)
                due = pacing.due(event.t)
                if due is not None:
                    at_once = skipping or ahead
                    await (self._skip_clock if at_once else self._clock).wait_until(due)
            yield event
        yield FeedStatus(
            state="ended", at=time.time(), detail=f"simulated {o.scenario} stage finished"
        )


def _head_km(frame: Telemetry) -> float:
    """Km to go of the head of the race in a frame (0 once a rider has finished)."""
    return min(
        (fix.km_to_finish for fix in frame.riders if fix.km_to_finish is not None), default=0.0
    )
