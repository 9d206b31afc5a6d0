"""Where every rider is, with the feed's faults taken out, and when each crossed the line.

`Field.update(frame)` applies one telemetry frame: each rider's fix is checked (a GPS resync
can throw a rider a kilometre up the road for a few frames), the head of the race is found,
the winner's finish is detected, and riders reaching the line (or vanishing just before it)
get their finish time. `Field.placed(t)` then gives every tracked rider's distance and
passage-time gap, front to back. Who leads the race, and the trajectory the gaps are
measured on: `race.tracking.head`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from race.alerts import AlertLog
from race.card import RiderReading
from race.models import Bib, Jersey, RiderFix, Telemetry
from race.situation import LostRider
from race.tracking.geometry import ground_km
from race.tracking.grain import Grain
from race.tracking.head import HeadOfRace
from race.tracking.jumps import AGREE_KM, JUMP_KM, NEAR_OTHERS_KM, confirms, move_to, riding_kmh
from race.tracking.offsets import KmCheck
from race.tracking.placing import place
from race.tracking.speeds import ReportedSpeeds
from race.tracking.stops import Stops
from race.tracking.tracks import (
    DEFAULT_KMH,
    FINISH_KM,
    FROZEN_SHARE,
    JUMP_CHECK_S,
    KM_MAX,
    MAX_KMH,
    REPORTED_KMH_MAX,
    STEP_KM,
    WITHIN_A_STEP_KM,
    Placed,
    RiderTrack,
    Winner,
    frozen,
    sent_again,
    usable_fix,
)
from race.tracking.trajectory import Trajectory

GROUND_RATIO = 0.4
"""A jump is genuine when the rider's GPS position moved at least this fraction of it."""
SUSPECT_MAX_S = 60.0
"""After this long a suspect rider's reported positions are accepted whatever they say."""
PAST_LINE_KM = 0.5
"""A km to go below minus this is not a rider just past the line: a fault of the feed."""


class Field(HeadOfRace):
    """The riders of one stage, frame by frame."""

    def __init__(self, hold_missing_s: float, grain: Grain, offsets: KmCheck) -> None:
        self.hold_missing_s = hold_missing_s
        self.riders: dict[Bib, RiderTrack] = {}
        self.head = Trajectory()
        """The head of the race over the whole stage: the first rider's km at each frame."""
        self.first: RiderTrack | None = None
        """The first rider on the road (plausible riders only) at the last frame."""
        self.leader: RiderTrack | None = None
        """Whose trajectory the gaps are measured on (the winner's once he has finished)."""
        self.winner: Winner | None = None
        self.t: float | None = None
        self.shown_t: float | None = None
        """The last frame that carried any rider's usable fix: a rider's hold runs until then,
        so that frames without riders (the feed's tracking down) drop nobody, as no frame at
        all drops nobody."""
        self.jersey_wearers: set[Bib] = set()
        """Riders seen in a jersey (their tracks say which)."""
        self.jumps_rejected = 0
        """Fixes set aside as GPS jumps (counted for diagnostics)."""
        self.values_dropped = 0
        """Values the feed got wrong (NaN, infinite, absurd), dropped from their fix; and a
        rider's second fixes at one instant, which the engine leaves out
        (`race.tracking.doubled`)."""
        self.fixes_repeated = 0
        """Fixes that were a rider's previous one sent again (`sent_again`), or that stood
        still while he rode (`frozen`), left out."""
        self.speeds = ReportedSpeeds()
        """Whether the feed's speeds are the riders' (while they are not, none is used)."""
        self._fresh: list[RiderTrack] = []
        self.order: list[RiderTrack] = []
        """The riders in the order of the last frame (see `race.tracking.placing`)."""
        self.dropped: list[RiderTrack] = []
        """The riders no longer placed at the last placing: missing for longer than they are
        held (see `race.tracking.placing`)."""
        self.held: list[RiderTrack] = []
        """The riders placed at the last placing though missing from its frame."""
        self._lost: tuple[LostRider, ...] = ()
        self.withdrawn: set[Bib] = set()
        """Riders the organiser lists as out of the race (`withdraw`)."""
        self.stops = Stops()
        """When the whole race stood (a neutralisation): no gap counts that time."""
        self.grain = grain
        """How finely the feed gives km to go (read by `race.tracking.gps` before this)."""
        self.offsets = offsets
        """Whose km to go is not where his fix is (`race.tracking.gps`): told of jumps."""
        self.head_withdrawn = False
        """The head of the race was a rider the organiser has just withdrawn."""

    # --- Frames ------------------------------------------------------------------------------

    def update(self, frame: Telemetry) -> list[RiderTrack]:
        """Apply a frame; returns the riders who crossed the line in it."""
        t = frame.t
        # Some feeds split one instant into partial frames: merge them.
        merging = t == self.t
        fresh: list[RiderTrack] = self._fresh if merging else []
        seen = {track.bib for track in fresh} if merging else set()
        self.t = t
        at_line: list[RiderTrack] = []
        lingering = False
        jumps: list[tuple[RiderTrack, RiderFix, float]] = []
        riders = self.riders
        speeds_used = self.speeds.check(frame, riders)
        for fix in frame.riders:
            # The engine's hottest loop (every rider of every frame): kept flat, and the fix
            # read from its dictionary (a model's attribute costs twice a dictionary's key:
            # pydantic's `__getattr__` keeps Python from taking the fast way).
            values = fix.__dict__
            km: float | None = values["km_to_finish"]
            if km is None or not -KM_MAX <= km <= KM_MAX:
                # A fix without a usable distance (missing, NaN, infinite) is as good as missing.
                if km is not None:
                    self.values_dropped += 1
                continue
            if km < 0.0:
                if km < -PAST_LINE_KM:
                    self.values_dropped += 1
                    continue
                km = 0.0
            bib: Bib = values["bib"]
            track = riders.get(bib)
            on_line = values["finished"] or km <= FINISH_KM
            if on_line and self._line_out_of_reach(t):
                # On the line while the head of the race cannot have reached it: a stray fix
                # (a stale second source, a rider's device reset), not a finish.
                self.jumps_rejected += 1
                continue
            if track is None:
                if bib in self.withdrawn:
                    continue
                track = RiderTrack(bib=bib, t=t, km=km)
                riders[bib] = track
                if not on_line:
                    track.path.add(t, km)
            elif track.finish_t is not None:
                # Finished riders ride on past the line, linger in the feed, or reappear with
                # a stale position: their time stands.
                track.t = t
                lingering = True
                continue
            elif t < track.t:
                continue
            elif on_line:
                dt = t - track.t
                if 0.0 < dt <= JUMP_CHECK_S and track.km / dt * 3600.0 > MAX_KMH:
                    # On the line from too far away: a stale second source for this bib.
                    self.jumps_rejected += 1
                    continue
            else:
                if km == track.km and sent_again(fix, track):
                    # The rider's last fix sent again (no new one came from his device): not a
                    # point of his road, where he would seem to stop for a frame. He is missing
                    # from this frame.
                    self.fixes_repeated += 1
                    track.left_out(t, km, values["lat"], values["lon"])
                    continue
                if track.suspect_since is not None:
                    jumps.append((track, fix, km))
                    track.t = t
                    continue
                dt = t - track.t
                reported = values["speed_kmh"] if speeds_used else None
                if reported is not None and not 0.0 <= reported <= REPORTED_KMH_MAX:
                    reported = None
                # `frozen`'s first test inlined (every rider of every frame): a fix that moved
                # him at least `FROZEN_SHARE` of his speed's road, or without a speed more
                # than a step, from his last one is his.
                if (
                    track.seen_t > track.t
                    or (
                        (track.km - km + STEP_KM) * 3600.0 < FROZEN_SHARE * reported * dt
                        if reported is not None
                        else values["lat"] is not None and track.km - km <= WITHIN_A_STEP_KM
                    )
                ) and frozen(track, km, reported, values["lat"], values["lon"], t):
                    # A position that stood still while he rode: no point of his road.
                    self.fixes_repeated += 1
                    continue
                if 0.0 < dt <= JUMP_CHECK_S:
                    speed = track.speed
                    kmh = speed if speed is not None and 0.0 < speed < 100.0 else DEFAULT_KMH
                    off = track.km - km - kmh * dt / 3600.0
                    if off > JUMP_KM or off < -JUMP_KM:
                        # Judged once the whole frame is read (`_settle_jumps`); until then
                        # the rider stays where he was.
                        jumps.append((track, fix, km))
                        track.t = t
                        continue
                # `Trajectory.add` for a later point, inlined (once per rider per frame): a fix
                # further from the line holds the rider where he was.
                path = track.path
                ts, xs = path._t, path._x
                if not ts or t <= ts[-1] or path._cubic:
                    path.add(t, km)
                else:
                    ts.append(t)
                    xs.append(-km if -km >= xs[-1] else xs[-1])
            track.t = t
            track.km = km
            # The rest of the fix, as `_fill` (inlined: once per rider per frame).
            speed = values["speed_kmh"] if speeds_used else None
            if speed is not None and not 0.0 <= speed <= REPORTED_KMH_MAX:
                speed = None
                self.values_dropped += 1
            track.speed = speed
            lat: float | None = values["lat"]
            lon: float | None = values["lon"]
            if (
                lat is not None
                and lon is not None
                and not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0)
            ):
                lat = lon = None
                self.values_dropped += 1
            track.lat, track.lon = lat, lon
            jersey: Jersey | None = values["jersey"]
            if jersey:
                track.jersey = jersey
                self.jersey_wearers.add(bib)
            if on_line:
                at_line.append(track)
            elif not merging or track.bib not in seen:
                fresh.append(track)
        if jumps:
            self._settle_jumps(jumps, fresh, t)
        self._fresh = fresh
        if fresh or at_line or lingering:
            self.shown_t = t
        crossed: list[RiderTrack] = []
        if self.winner is None and (at_line or self._leader_lost_at_line(t)):
            crossed.extend(self._finish_winner(t, at_line))
        if self.winner is None:
            leader = self._choose_leader(fresh)
            if leader is not None:
                self._follow_head(leader, fresh, t)
                self.stops.update(t, self.head, leader, fresh)
        winner = self.winner
        if winner is not None:
            for track in at_line:
                if track.finish_t is None:
                    self._finish(track, self._arrival(track, t, winner.t))
                    crossed.append(track)
            crossed.extend(self._finish_lost(t, winner.t))
        return crossed

    def say(self, alerts: AlertLog, t: float) -> None:
        """The race radio's lines about the feed and the race standing, since the last call."""
        self.speeds.say(alerts, t)
        self.stops.say(alerts, t)

    def _fill(self, track: RiderTrack, fix: RiderFix) -> None:
        """The rest of a fix: a value the feed got wrong (NaN, infinite, absurd) is dropped,
        counted, and the track keeps none rather than a wrong one. (Once per rider per frame:
        the checks of `usable_speed` and `usable_fix` are inlined, on the same bounds.)"""
        speed = fix.speed_kmh if self.speeds.trusted else None
        if speed is not None and not 0.0 <= speed <= REPORTED_KMH_MAX:
            speed = None
            self.values_dropped += 1
        track.speed = speed
        lat, lon = fix.lat, fix.lon
        if (
            lat is not None
            and lon is not None
            and not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0)
        ):
            lat = lon = None
            self.values_dropped += 1
        track.lat, track.lon = lat, lon
        if fix.jersey:
            track.jersey = fix.jersey
            self.jersey_wearers.add(track.bib)

    def _settle_jumps(
        self, jumps: list[tuple[RiderTrack, RiderFix, float]], fresh: list[RiderTrack], t: float
    ) -> None:
        """Accept or set aside the fixes that jumped.

        A jump the rider could not have ridden (faster than `MAX_KMH` since his last fix, or
        backwards) is a ghost, even when his GPS fix agrees with it (real feeds place one
        rider kilometres ahead for one frame, fix and all), unless it lands him among other
        riders (a resync putting a lagging rider back in his group) or the next fix confirms
        it. A jump he could have ridden is genuine when his GPS position moved with it or it
        lands him among others. A rider whose fix is set aside is suspect and placed where his
        last trusted fix and speed put him, until a fix agrees with that again, two fixes in a
        row agree with each other, or `SUSPECT_MAX_S` has passed.
        """
        others = sorted(track.km for track in fresh if track.suspect_since is None)
        for track, fix, km in jumps:
            i = bisect_left(others, km - NEAR_OTHERS_KM)
            among_others = i < len(others) and others[i] <= km + NEAR_OTHERS_KM
            if track.suspect_since is not None:
                predicted = track.anchor_km - track.anchor_kmh * (t - track.anchor_t) / 3600.0
                genuine = (
                    among_others
                    or abs(km - predicted) <= AGREE_KM
                    or confirms(track, km, t)
                    or t - track.suspect_since >= SUSPECT_MAX_S
                )
            else:
                previous_t = track.path.last_t if track.path.last_t is not None else t
                dt = t - previous_t
                predicted = track.km - riding_kmh(track) * dt / 3600.0
                moved = track.km - km
                impossible = moved < -JUMP_KM or moved * 3600.0 > MAX_KMH * dt
                now = usable_fix(fix.lat, fix.lon)
                genuine = among_others or (
                    not impossible
                    and track.lat is not None
                    and track.lon is not None
                    and now is not None
                    and ground_km(track.lat, track.lon, *now) >= GROUND_RATIO * abs(track.km - km)
                )
                if not genuine:
                    track.suspect_since = t
                    track.anchor_t, track.anchor_km = previous_t, track.km
                    track.anchor_kmh = riding_kmh(track)
            self.offsets.ask(track.bib, km - predicted)
            if genuine:
                track.suspect_since = track.ghost_t = None
                move_to(track, t, km)
            else:
                self.jumps_rejected += 1
                track.ghost_t, track.ghost_km = t, km
                track.path.add(t, max(predicted, FINISH_KM))
                track.km = max(predicted, FINISH_KM)
            self._fill(track, fix)
            fresh.append(track)

    def withdraw(self, bibs: Iterable[Bib]) -> None:
        """Riders the organiser lists as out of the race (an abandon): a fix sent for one of
        them is no longer a rider's on the road (his bike on a team car's roof, his device in
        the broom wagon), so he is no longer placed, lost or timed. A finish he made stands."""
        for bib in bibs:
            self.withdrawn.add(bib)
            track = self.riders.get(bib)
            if track is None or track.finish_t is not None:
                continue
            del self.riders[bib]
            if self.first is track or self.leader is track:
                # The head's road was his: it goes back to the next first rider's.
                self.head_withdrawn = True
                self.first = self.first if self.first is not track else None
                self.leader = self.leader if self.leader is not track else None
            for tracks in (self._fresh, self.order, self.dropped, self.held):
                tracks[:] = [other for other in tracks if other is not track]

    def winner_fields(self) -> dict[str, Any]:
        """The situation's facts about the rider gaps are measured on and the winner."""
        winner = self.winner
        return {
            "head_rider": self.leader.bib if self.leader is not None else None,
            "winner_finished": winner is not None,
            "winner": winner.bib if winner is not None else None,
            "winner_t": winner.t if winner is not None else None,
            "winner_basis": winner.basis if winner is not None else "",
            "winner_sure": winner.sure if winner is not None else True,
        }

    def lost(self) -> tuple[LostRider, ...]:
        """The riders dropped at the last placing, where each was last seen, nearest the line
        first (made again only when they change: a rider lost stays so for hours)."""
        if {track.bib for track in self.dropped} != {rider.bib for rider in self._lost}:
            lost = (
                LostRider(bib=track.bib, km_to_finish=round(track.km, 2), t=track.t)
                for track in self.dropped
            )
            self._lost = tuple(sorted(lost, key=lambda rider: (rider.km_to_finish, rider.bib)))
        return self._lost

    def reading(self, bib: Bib) -> RiderReading | None:
        """A rider's own last fix as tracked (a rider's card); None when he is not tracked on
        the road."""
        track = self.riders.get(bib)
        if track is None:
            return None
        return RiderReading(t=track.t, km_to_finish=track.km, speed_kmh=track.speed)

    def placed(self, t: float) -> tuple[list[Placed], list[Placed]]:
        """Every tracked rider, front to back: those who finished, by their time, and those
        on the road (see `race.tracking.placing`)."""
        return place(self, t)
