"""The race state: is the feed showing a race yet, and which frames count as racing.

Real feeds send telemetry long before the start: half an hour to hours in which every rider
sits at one km to go (12.4 km on a 181.9 km stage, or 0, or the stage's length), at walking
pace, at the start village far from the route, with team leaders missing; and on connect a
snapshot of yesterday's finish. Applied as racing, such frames pin every trajectory for hours.

`StartGate` holds frames back until the feed shows a race: most riders moving above
`RACING_KMH`, the front of the field's km to go within the stage's length and falling over
`CONFIRM_FRAMES` frames (read on the riders both frames hold, when a frame has only part of the
field), fixes near the route when the route is known. The frames that showed it are then
released together, and every later frame passes straight through: once racing, the race does
not go back (a new start list starts a new race).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from race.models import Bib, Stage, Telemetry
from race.situation import RaceState
from race.tracking.geometry import RouteLine, ground_km
from race.tracking.tracks import FINISH_KM, MAX_KMH, RACING_KMH, usable_fix, usable_km, usable_speed
from race.wording import counted

CONFIRM_FRAMES = 3
"""Consecutive frames whose field moves towards the line before the race counts as started."""
FALLING_KM = 0.005
"""The front of the field's km to go must fall at least this much from one frame to the next (the
feed's distances come in 10 m steps; a standing field repeats the same value)."""
FRONT_SHARE = 10
"""The field's place is read a tenth of the way back from its front."""
OVER_LENGTH_KM = 0.5
"""A field reported further from the line than the stage's length plus this is not on it."""
OFF_ROUTE_KM = 5.0
"""Fixes this far from the route at their reported km to go are not on it (a start village
200 km away, yesterday's finish town)."""
STANDING_BEFORE_S = 120.0
STANDING_BEHIND_KM = 1.0
"""A field standing on the course at most this long before the race was seen moving, and at
most this far behind where it was then, is the race waiting to start: its last frame is kept."""
MOVED_WITHIN_S = 60.0
"""A field's pace is read between two frames at most this far apart (a longer hole may hold
a stop and a start)."""
ROUTE_SAMPLE = 9
"""Riders checked against the route per frame while waiting for the race (it is enough)."""


@dataclass(frozen=True, slots=True)
class FieldReading:
    """What one frame says about the field as a whole."""

    km: float | None
    """Km to go of the front of the field: the rider a tenth of the way back, so that one
    rider's fault cannot move it, while it moves as soon as the race leaves (None: no rider
    has a distance)."""
    kmh: float | None
    """Median reported speed (None: the feed gives none)."""
    off_route: bool
    """Most of the checked fixes are far from the route (False when it cannot be checked)."""
    from_start: bool = False
    """... and on it where their km to go, read as km from the start, puts them: a feed
    sending the distance ridden as the distance to go."""


class StartGate:
    """Decides from the frames themselves when the race is on."""

    def __init__(self) -> None:
        self.state: RaceState = "pre-start"
        self.detail = "waiting for the first frame"
        """Why the race is in this state, for the header (e.g. "riders standing (1 km/h)")."""
        self._window: list[tuple[Telemetry, float]] = []
        """The frames, and their field's km to go, that may be the start of the race."""
        self._standing: tuple[Telemetry, float] | None = None
        """The last frame of a field standing on the course, and its km to go."""
        self._route: RouteLine | None = None
        self._route_for: Stage | None = None

    @property
    def racing(self) -> bool:
        return self.state in ("racing", "finishing", "finished")

    def offer(self, frame: Telemetry, stage: Stage | None) -> list[Telemetry]:
        """The frames to apply as racing now: none while waiting, the frames that showed the
        start once it is seen, then each frame as it comes."""
        if self.racing:
            return [frame]
        reading = self._read(frame, stage)
        km = reading.km
        if (
            km is None
            or not self._on_course(reading, km, stage)
            or not (_riding(reading) or self._moved_at_racing_pace(frame, km))
        ):
            self._window.clear()
            self._standing = (frame, km) if km is not None and not reading.off_route else None
            self.state, self.detail = self._waiting(reading, stage)
            return []
        window = self._window
        if window and frame.t == window[-1][0].t:
            # The rest of an instant the feed split into partial frames: it goes with it.
            window.append((frame, window[-1][1]))
            return []
        if window:
            previous, previous_km = window[-1]
            previous_t = previous.t
            fell = _fall(previous, frame, previous_km - km)
            if frame.t <= previous_t or not (
                FALLING_KM <= fell <= MAX_KMH * (frame.t - previous_t) / 3600.0
            ):
                window.clear()  # Not moving towards the line: this frame may start a new run.
        window.append((frame, km))
        if len({f.t for f, _ in window}) < CONFIRM_FRAMES:
            self.state = "neutralised"
            self.detail = "riders rolling" + (
                f" ({reading.kmh:.0f} km/h)" if reading.kmh is not None and _riding(reading) else ""
            )
            return []
        self.state = "racing"
        self.detail = f"racing from {window[0][1]:.1f} km to go"
        released = [f for f, _ in window]
        standing = self._standing
        if (
            standing is not None
            and window[0][0].t - standing[0].t <= STANDING_BEFORE_S
            and 0.0 <= standing[1] - window[0][1] <= STANDING_BEHIND_KM
        ):
            # The field stood just behind where it set off (the end of a neutralised stretch,
            # stopped at km 0): that frame shows when the race left, so it is kept.
            released.insert(0, standing[0])
        window.clear()
        self._standing = None
        return released

    def finishing(self, winner_finished: bool, on_road: int) -> None:
        """After the winner's finish: finishing while riders are on the road, then finished."""
        if not self.racing or not winner_finished:
            return
        if on_road:
            self.state, self.detail = "finishing", f"{counted(on_road, 'rider')} still on the road"
        else:
            self.state, self.detail = "finished", "every tracked rider has finished"

    # --- Reading frames ----------------------------------------------------------------------

    def _read(self, frame: Telemetry, stage: Stage | None) -> FieldReading:
        kms: list[float] = []
        speeds: list[float] = []
        located: list[tuple[float, float, float]] = []
        for fix in frame.riders:
            km = usable_km(fix.km_to_finish)
            if km is None:
                continue
            kms.append(km)
            speed = usable_speed(fix.speed_kmh)
            if speed is not None:
                speeds.append(speed)
            position = usable_fix(fix.lat, fix.lon)
            if position is not None:
                located.append((km, *position))
        off_route, from_start = self._off_route(located, stage)
        return FieldReading(
            km=_front(kms) if kms else None,
            kmh=median(speeds) if speeds else None,
            off_route=off_route,
            from_start=from_start,
        )

    def _off_route(
        self, located: list[tuple[float, float, float]], stage: Stage | None
    ) -> tuple[bool, bool]:
        """Whether most of a sample of the fixes are far from the route where their km to go
        puts them, and if so whether they are on it read as km from the start."""
        route = self._route_of(stage)
        if route is None or not located:
            return False, False
        step = max(1, len(located) // ROUTE_SAMPLE)
        sample = located[::step]
        if _far(route, sample, to_go=True) * 2 <= len(sample):
            return False, False
        return True, _far(route, sample, to_go=False) * 2 < len(sample)

    def _route_of(self, stage: Stage | None) -> RouteLine | None:
        if stage is None:
            return None
        if self._route_for is not stage:
            route = RouteLine(stage.profile, stage.distance_km)
            self._route, self._route_for = (route if route.usable else None), stage
        return self._route

    @staticmethod
    def _on_course(reading: FieldReading, km: float, stage: Stage | None) -> bool:
        """The frame could be racing: a field on the stage's road, not at the line."""
        if km <= FINISH_KM or reading.off_route:
            return False
        return stage is None or km <= stage.distance_km + OVER_LENGTH_KM

    def _moved_at_racing_pace(self, frame: Telemetry, km: float) -> bool:
        """The field's front came from the frame before at `RACING_KMH` or more, whatever the
        speeds it reports: a feed that sends 0 for a speed it does not have (or metres a
        second) still shows the race by its distances. That frame, if it stood, becomes the
        first of the run."""
        before = self._window[-1] if self._window else self._standing
        if before is None or not 0.0 < frame.t - before[0].t <= MOVED_WITHIN_S:
            return False
        fell = _fall(before[0], frame, before[1] - km)
        if fell < RACING_KMH * (frame.t - before[0].t) / 3600.0:
            return False
        if not self._window:
            self._window.append(before)
            self._standing = None
        return True

    @staticmethod
    def _waiting(reading: FieldReading, stage: Stage | None) -> tuple[RaceState, str]:
        """Why the frame is not racing, in the user's words."""
        km = reading.km
        if km is None:
            return "pre-start", "no distances in the feed"
        if reading.off_route and reading.from_start:
            return "pre-start", "km from the start?"
        if reading.off_route:
            return "pre-start", "riders off the route"
        if km <= FINISH_KM:
            return "pre-start", "riders at the line (an earlier finish?)"
        if stage is not None and km > stage.distance_km + OVER_LENGTH_KM:
            return "pre-start", f"riders {km:.0f} km out, beyond the stage"
        if reading.kmh is None:
            return "pre-start", "riders not moving towards the line"
        return "pre-start", f"riders standing ({reading.kmh:.0f} km/h)"


def _far(route: RouteLine, sample: list[tuple[float, float, float]], *, to_go: bool) -> int:
    """How many of the fixes lie far from the route at their km, read as km to go (or from
    the start)."""
    far = 0
    for km, lat, lon in sample:
        point = route.point_at(km if to_go else route.distance_km - km)
        if point is None or ground_km(lat, lon, *point) > OFF_ROUTE_KM:
            far += 1
    return far


def _riding(reading: FieldReading) -> bool:
    """The field's reported speeds say it rides (or it reports none)."""
    return reading.kmh is None or reading.kmh >= RACING_KMH


def _fall(before: Telemetry, now: Telemetry, fronts: float) -> float:
    """How far the field's front moved towards the line between two frames (`fronts`, the
    fall of each frame's own reading). When the frames do not hold the same riders (a frame
    with only part of the field: its front, or anyone), the front is read on the riders both
    hold, so that a frame's missing riders are not read as the field jumping."""
    then = _distances(before)
    now_kms = _distances(now)
    if then.keys() == now_kms.keys():
        return fronts
    common = then.keys() & now_kms.keys()
    if not common:
        return fronts
    return _front([then[b] for b in common]) - _front([now_kms[b] for b in common])


def _distances(frame: Telemetry) -> dict[Bib, float]:
    return {fix.bib: km for fix in frame.riders if (km := usable_km(fix.km_to_finish)) is not None}


def _front(kms: list[float]) -> float:
    """The field's place: the rider a tenth of the way back from its front."""
    return sorted(kms)[len(kms) // FRONT_SHARE]
