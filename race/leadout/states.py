"""Each team's sprinter state through the frames: its hysteresis, where it began, whether his
train is engaged in the finale, and the lost-wheel alert (`race.leadout.tracker` reads the
trains; this follows what the readings say of them)."""

from __future__ import annotations

from collections import Counter

from race.alerts import AlertLog, Hysteresis
from race.leadout.bunch import BunchFrame
from race.leadout.reading import Reading
from race.leadout.top import ENGAGED
from race.leadout.trains import TrainPlan
from race.situation import SUPPORTED, Roster, SprinterState

SPRINT_OVER_KM = 0.25
"""In the last 250 m the last man has released his sprinter: no state change is meaningful."""
ENGAGED_FRAMES = 3
"""A train is engaged in the finale once seen together this many frames (~300 m): a sprinter
who was near a teammate for a moment had no wheel to lose."""


class SprinterStates:
    """The sprinters' states, team by team."""

    def __init__(self) -> None:
        self._states: Hysteresis[SprinterState] = Hysteresis(frames=2)
        self._observed: dict[str, SprinterState] = {}
        """Per team: the state the latest frame points to (after the support test)."""
        self._run_km: dict[str, float] = {}
        """Per team: the sprinter's km to go when the frames began to point to that state."""
        self._left_wheel_km: dict[str, float] = {}
        """Per team: where the frames last stopped showing the sprinter on the wheel."""
        self._since: dict[str, float] = {}
        self.engaged: set[str] = set()
        """Teams seen in their train in the finale long enough to be a formed one."""
        self._engaged_frames: Counter[str] = Counter()

    def get(self, team: str) -> SprinterState | None:
        """The team's established state."""
        return self._states.get(team)

    def drop(self, team: str) -> None:
        """Nothing can be claimed now: what was established says nothing of the next frames."""
        self._states.forget(team)
        self._observed.pop(team, None)

    def forget(self, team: str) -> None:
        """Another sprinter for the team: his story starts again."""
        self._states.forget(team)
        for table in (self._observed, self._run_km, self._left_wheel_km, self._since):
            table.pop(team, None)
        self.engaged.discard(team)
        self._engaged_frames.pop(team, None)

    def follow(
        self,
        plan: TrainPlan,
        readings: tuple[Reading, Reading],
        frame: BunchFrame,
        t: float,
        head_km: float | None,
        alerts: AlertLog | None,
        roster: Roster,
        my_team: str | None,
    ) -> tuple[SprinterState, float, SprinterState | None]:
        """Pass the reading through the state's hysteresis and, in the finale (`alerts` given),
        raise the lost-wheel alert.

        `readings` are this frame's from its own fixes, then from the smoothed places: the first
        that supports its state (see `SUPPORTED`) is what the frame shows; the fixes alone
        show a real move one frame earlier, the smoothed places settle what they blur.

        Returns the state, the km where it began, and the state the latest frame points to
        when it is still waiting for a second frame."""
        team = plan.team
        km = frame.places[plan.sprinter].km_to_finish
        current = self._states.get(team)
        supported = [r for r in readings if r.confidence >= SUPPORTED]
        # Without support the noise explains this frame as well: it does not count.
        reading = supported[0] if supported else readings[-1]
        observed = reading.state if supported or current is None else current
        if observed == "lost_wheel" and team not in self.engaged:
            # Never seen in his train: he has no wheel to lose, he is out of position.
            observed = "out_of_position"
        before = self._observed.get(team)
        if observed != before:
            self._run_km[team] = km
            if before == "on_wheel":
                self._left_wheel_km[team] = km
        self._observed[team] = observed
        state, previous = self._states.update(team, observed)
        if previous is not None or team not in self._since:
            # A lost wheel began where he left it (often boxed in or a gap opening first).
            left = self._left_wheel_km.get(team) if state == "lost_wheel" else None
            self._since[team] = left if left is not None else self._run_km[team]
        if state in ENGAGED and alerts is not None:
            # Seen in his train in the finale, long enough for the train to be a formed one.
            self._engaged_frames[team] += 1
            if self._engaged_frames[team] >= ENGAGED_FRAMES:
                self.engaged.add(team)
        since = self._since[team]
        if (
            alerts is not None
            and previous is not None
            and state == "lost_wheel"
            and team in self.engaged
            and head_km is not None
            and head_km > SPRINT_OVER_KM
        ):
            last = readings[-1].last_man
            name = roster.name
            alerts.raise_(
                t,
                "lost_wheel",
                f"{name(plan.sprinter)} ({team}) lost the wheel of "
                f"{name(last) if last else 'his last man'} at {since:.1f} km",
                "critical" if team == my_team else "warning",
                key=f"lost_wheel:{team}",
            )
        return state, round(since, 2), observed if observed != state else None
