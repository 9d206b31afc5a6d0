"""The `Race` engine: feed events in, an immutable `Situation` out.

`Race.apply(event)` updates the state and returns the new `Situation`. Time comes only from the
events, so a replay at any speed gives the same answers as the live stage. The engine only
dispatches: each concern keeps its own state and is handed the same `Frame` per update.

- `race.tracking`: where every rider is (from his GPS fix when the feed gives no km to go),
  when each crossed the line, the real start;
- `race.gaps`: the groups, their ids and lineage, gaps, trends, catches and alerts;
- `race.timelimit`: the day's cut and each group's margin to it;
- `race.leadout`: the sprinters' trains in the finale;
- `race.timetrial`: a time trial, rider by rider (groups on the road mean nothing there);
- `race.reported`: the organiser's own groups (a cross-check, or the groups when the telemetry
  is missing) and its weather.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from race.alerts import AlertLog
from race.card import RiderReading
from race.frame import Frame
from race.gaps.groups import head_speed_now
from race.gaps.history import GapHistory
from race.gaps.tracker import GapsTracker
from race.leadout.tracker import LeadoutTracker
from race.marks import Marks
from race.models import (
    Bib,
    FeedEvent,
    FeedStatus,
    RaceNews,
    ReportedGroups,
    RiderRole,
    Stage,
    StartList,
    Telemetry,
    Weather,
    covered_km,
    stage_sent,
)
from race.reported import Reports
from race.results import results_now
from race.rolebook import RoleBook
from race.sanity import implausible, sound_stage
from race.settings import EngineSettings
from race.situation import Alert, GroupView, RaceState, Roster, Situation
from race.story import GapStory, StageResults
from race.timelimit.tracker import TimeLimitTracker
from race.timetrial.trial import TIME_TRIALS, TimeTrial
from race.tracking.doubled import one_fix_each
from race.tracking.feedtime import FeedClock
from race.tracking.field import Field
from race.tracking.gps import GpsPlacer
from race.tracking.start import race_clock
from race.tracking.state import StartGate
from race.wind.watch import WindWatch
from race.wording import winner_said


class Race:
    """State of one stage; `apply` each feed event in order."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        # The configured trains reach the analysis as the roster's roles (`race.rolebook`, the
        # one place their precedence is decided), not as trains of their own.
        self._analysis = self.settings.model_copy(
            update={"leadout": self.settings.leadout.model_copy(update={"trains": ()})}
        )
        self._roles = RoleBook(self.settings)
        self._stage: Stage | None = None
        self._in_force: Stage | None = None
        self._roster = Roster()
        self._clock = FeedClock()
        self._feed: FeedStatus | None = None
        self._events = 0
        self._marks = Marks(self.settings.team.marked)  # Per race, not per stage: kept.
        self._new_race()
        self._situation = Situation()

    def _new_race(self) -> None:
        """Forget everything seen of the road: a new stage starts (or the engine does)."""
        self._alerts = AlertLog()
        self._news: list[Alert] = []
        self._gate = StartGate()
        placer = self._placer = GpsPlacer()
        self._field = Field(self.settings.gaps.hold_missing_s, placer.grain, placer.offsets)
        self._gaps = GapsTracker(self._analysis, self._marks)
        self._history = GapHistory()
        self._time_limit = TimeLimitTracker(self._analysis, self._marks)
        self._leadout = LeadoutTracker(self._analysis)
        self._roles.forget_choices()
        self._timetrial: TimeTrial | None = None
        self._reports = Reports()
        self._wind = WindWatch()
        self._t: float | None = None
        self._clock.reset()

    @property
    def _racing(self) -> bool:
        return self._timetrial is not None or self._gate.racing

    @property
    def situation(self) -> Situation:
        return self._situation

    # --- Events ------------------------------------------------------------------------------

    def apply(self, event: FeedEvent) -> Situation:
        """Apply one feed event and return the new situation."""
        self._events += 1
        alerts_before = len(self._alerts.alerts)
        if isinstance(event, Telemetry):
            road = (self._timetrial or self._field).riders if self._racing else None
            frames = self._clock.admit(event, self._racing, road)
            if not frames:
                return self._refresh(frames_dropped=self._clock.dropped)
            for frame in frames:
                self._on_telemetry(frame)
        elif isinstance(event, StartList):
            self._on_start_list(event)
        elif isinstance(event, FeedStatus):
            # The adapter's own state: nothing about the race changed. Rebuilding would count
            # as one more frame for the alert debouncers (a blackout's statuses would confirm
            # an alert that one frame raised), so only the feed part of the situation changes.
            self._feed = event
            return self._refresh(feed=event, new_alerts=0)
        elif isinstance(event, RaceNews):
            self._on_news(event)
        else:
            # The organiser's own groups or weather: beside the analysis, which is not run
            # again (that would count as one more frame for the alert debouncers).
            if isinstance(event, ReportedGroups):
                self._reports.offer_groups(event)
            elif isinstance(event, Weather):
                self._reports.offer_weather(event)
            last = self._situation
            return self._refresh(
                **self._reported(last.race_state, last.groups, last.head_km_to_finish),
                new_alerts=0,
            )
        self._situation = self._build(alerts_before)
        return self._situation

    def _refresh(self, **changes: Any) -> Situation:
        """The last situation with `changes`, counting this event."""
        self._situation = self._situation.model_copy(
            update={**changes, "events_applied": self._events}
        )
        return self._situation

    def _on_start_list(self, event: StartList) -> None:
        stage, another = stage_sent(sound_stage(event.stage), self._stage)
        if another:
            self._new_race()  # A relay running for days sends the next stage's start list.
        self._stage = stage
        self._in_force = self.settings.stage.shown(stage)
        self._roles.set_start_list(event.riders)
        self._roster = Roster(
            teams={team.code: team for team in event.teams}, riders=self._roles.riders
        )
        for warning in self._roles.warnings:
            self._alerts.raise_once(
                self._radio_t, "roles", warning, "warning", key=f"roles {warning}"
            )
        self._gaps.set_roster(self._roster)
        self._time_limit.set_stage(stage, self._roster)
        self._leadout.set_stage(stage, self._roster)
        if stage.type not in TIME_TRIALS:
            self._timetrial = None
        elif self._timetrial is None:
            self._timetrial = TimeTrial(stage, self._analysis)
        else:
            self._timetrial.set_stage(stage)

    def gap_story(self) -> GapStory:
        """How the gaps evolved so far (the gap chart): made when asked, not per frame."""
        return self._history.story()

    def results(self) -> StageResults | None:
        """The stage's result as the telemetry has it (`race.results`), once the winner has
        finished; None before (and on a time trial, where the standings are the result)."""
        if self._t is None or self._timetrial is not None:
            return None
        return results_now(self._field, self._t, self._stage, self._situation)

    # --- Roles during the race --------------------------------------------------------------

    def set_sprinter(self, bib: Bib) -> Situation:
        """Make `bib` his team's sprinter from now on (his team's lead-out men ride for him):
        the lead-out and the time limit's watched riders follow from the next update, nothing
        learned is reset. The race radio says it. Raises KeyError for a bib not in the start
        list."""
        return self._on_roles(self._roles.set_sprinter(bib))

    def set_role(self, bib: Bib, role: RiderRole | None) -> Situation:
        """Give `bib` a role from now on (None: none), as `set_sprinter` does for a sprinter.
        Raises KeyError for a bib not in the start list, ValueError for a lead-out man whose
        team has no sprinter."""
        return self._on_roles(self._roles.set_role(bib, role))

    def _on_roles(self, said: str) -> Situation:
        self._roster = self._roster.model_copy(update={"riders": self._roles.riders})
        self._share_roster()
        before = len(self._alerts.alerts)
        self._alerts.raise_(self._radio_t, "roles", said, "info")
        # Not a frame: the trackers see the change at the next update (see `apply`).
        return self._refresh(
            roster=self._roster,
            alerts=tuple(self._alerts.alerts),
            new_alerts=len(self._alerts.alerts) - before,
        )

    def set_marked(self, bibs: Iterable[Bib]) -> Situation:
        """Mark exactly `bibs` from now on (`[team] marked` was the first set): they are named
        in their groups at once, and the dropped-rider and time-limit alerts follow them from
        the next update."""
        if not self._marks.set(bibs):
            return self._situation
        self._share_roster()
        groups = self._situation.groups
        if self._timetrial is None:
            groups = self._gaps.with_notables(groups, self._field)
        return self._refresh(marked=self._marks.ordered(), groups=groups)

    def _share_roster(self) -> None:
        """The roster (its roles) and the marks changed: the concerns that read them follow."""
        for concern in (self._gaps, self._time_limit, self._leadout):
            concern.set_roster(self._roster)

    def rider_reading(self, bib: Bib) -> RiderReading | None:
        """A rider's own last fix as the engine tracks it (a rider's card)."""
        return self._field.reading(bib)

    @property
    def _radio_t(self) -> float:
        """The time of what the engine says outside a frame: the last frame's, else the
        scheduled start."""
        if self._t is not None:
            return self._t
        scheduled = self._stage.scheduled_start if self._stage is not None else None
        return scheduled if scheduled is not None else 0.0

    def _on_news(self, event: RaceNews) -> None:
        """What the provider's race radio says, kept apart from Ardoise's own alerts."""
        level = "warning" if event.category in ("crash", "abandon") else "info"
        if event.category == "abandon":  # Out of the race, whatever his device sends now.
            (self._timetrial or self._field).withdraw(event.riders)
        self._news.append(Alert(t=event.t, kind=event.category, text=event.text, level=level))

    def _on_telemetry(self, frame: Telemetry) -> None:
        self._t = frame.t
        frame, doubled = one_fix_each(frame, (self._timetrial or self._field).riders)
        # The one place a missing km to go is filled in: all after read it as the feed's.
        frame = self._placer.place(frame, self._stage)
        self._field.values_dropped += doubled + self._placer.replaced_km
        self._wind.offer(frame, self._stage)
        if self._timetrial is not None:
            self._timetrial.update(frame, self._alerts, self._roster)
            return
        for racing in self._gate.offer(frame, self._stage):
            self._on_racing(racing)

    def _on_racing(self, frame: Telemetry) -> None:
        field = self._field
        had_winner = field.winner is not None
        field.update(frame)
        field.say(self._alerts, frame.t)
        self._placer.say(self._alerts, frame.t, self._roster.name)
        winner = field.winner
        if winner is not None and not had_winner:
            said = winner_said(self._roster.name(winner.bib), doubt=winner.doubt)
            self._alerts.raise_once(winner.t, "finish", said, "info", key="finish")
        self._gaps.after_fixes(field)

    # --- Situation ---------------------------------------------------------------------------

    def _build(self, alerts_before: int) -> Situation:
        t = self._t
        if t is None:
            return Situation(**self._common(alerts_before))
        if self._timetrial is not None:
            return self._build_timetrial(t, self._timetrial, alerts_before)
        field = self._field
        finished, road = field.placed(t)
        winner_t = field.winner.t if field.winner is not None else None
        clock = race_clock(field.head, self._stage, field.stops, t, winner_t)
        frame = Frame(
            t=t,
            stage=self._stage,
            roster=self._roster,
            alerts=self._alerts,
            head_km=field.head.last_km,
            race_time_s=clock.race_time_s,
            winner_time_s=clock.winner_time_s,
            winner_t=winner_t,
            finished=finished,
            road=road,
            # The time limit measures groups on the head's whole road, which does not jump
            # when a break is caught (see race.timelimit.tracker._road_gaps).
            head_passage=lambda km: field.stops.passage_time(field.head, km, t),
        )
        self._gate.finishing(winner_t is not None, len(road))
        frame.groups, frame.lineage = self._gaps.update(frame, field)
        time_limit = self._time_limit.update(frame)
        self._history.update(frame, time_limit)
        trains, finale = self._leadout.update(frame)
        head_speed = head_speed_now(frame.groups, field.head)
        return Situation(
            t=t,
            race_time_s=clock.race_time_s,
            start_t=clock.start_t,
            start_basis=clock.basis,
            head_km_to_finish=frame.head_km,
            head_speed_kmh=head_speed,
            **field.winner_fields(),
            riders_tracked=len(finished) + len(road),
            lost=field.lost(),
            time_limit=time_limit,
            leadout=trains,
            finale=finale,
            degraded=implausible(
                racing=self._gate.racing,
                winner_finished=winner_t is not None,
                race_time_s=clock.race_time_s,
                covered_km=covered_km(self._stage, frame.head_km),
                # A head whose road stands still while riders ride: its road's own speed.
                head_speed_kmh=field.head.speed_kmh(),
                road=road,
                time_limit=time_limit,
            ),
            **self._common(alerts_before, tuple(frame.groups), frame.head_km),
        )

    def _build_timetrial(self, t: float, trial: TimeTrial, alerts_before: int) -> Situation:
        """A time trial: riders against the clock, not groups on the road."""
        groups = trial.groups(t, self._gaps.notables.views)
        frame = trial.time_limit_frame(t, self._stage, self._roster, self._alerts)
        fields = trial.situation_fields(t)
        return Situation(
            **fields,
            time_limit=self._time_limit.update(frame),
            **self._common(alerts_before, tuple(groups), fields.get("head_km_to_finish")),
        )

    def _common(
        self,
        alerts_before: int,
        groups: tuple[GroupView, ...] = (),
        head_km: float | None = None,
    ) -> dict[str, Any]:
        """What every situation carries, whatever the stage and the moment, with the groups
        and the head's km to go (none before the first frame)."""
        placer = self._placer
        detail = "" if self._timetrial is not None else self._gate.detail
        if placer.unplaced and not self._racing:
            detail = placer.detail  # Why the gate sees no distances, in the user's words.
        race_state: RaceState = "racing" if self._timetrial is not None else self._gate.state
        # Before the alerts are taken: a new stretch is said on the radio in this situation.
        road_race = race_state == "racing" and self._timetrial is None
        crosswinds = self._wind.ahead(self._t, head_km, self._alerts) if road_race else ()
        return {
            "groups": groups,
            **self._reported(race_state, groups, head_km),
            "stage": self._in_force,
            "alerts": tuple(self._alerts.alerts),
            "new_alerts": len(self._alerts.alerts) - alerts_before,
            "news": tuple(self._news),
            "feed": self._feed,
            "events_applied": self._events,
            "frames_dropped": self._clock.dropped,
            "values_dropped": self._field.values_dropped,
            "race_state": race_state,
            "race_state_detail": detail,
            "wind": self._wind.now(self._t),
            "crosswinds": crosswinds,
            "marked": self._marks.ordered(),
            "placing": placer.source,
            "placing_detail": placer.detail,
            "roster": self._roster,
        }

    def _reported(
        self, race_state: RaceState, groups: Sequence[GroupView], head_km: float | None
    ) -> dict[str, Any]:
        """The organiser's part of the situation, beside Ardoise's groups and head."""
        # On the road, frames without any rider's fix are no rider telemetry.
        shown_t = self._field.shown_t
        return self._reports.situation_fields(
            last_frame_t=shown_t if shown_t is not None and self._timetrial is None else self._t,
            placing=self._placer.source,
            race_state=race_state,
            groups=groups,
            time_trial=self._timetrial is not None,
            stage=self._stage,
            head_km=head_km,
        )
