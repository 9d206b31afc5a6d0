"""The time limit, live: the day's cut from the rules, each group's projected margin to it,
each rider's status (`race.timelimit.riders`), the alerts when a watched rider's status gets
worse or better, and the countdown after the winner's finish.

The rules come from a `RuleSet` (race/timelimit/rulesets/*.toml) and the day's percentage from
`race.timelimit.percentage`. Before the winner finishes, his time is forecast from the head of
the race (`race.timelimit.forecast`) and each group's gap at the finish is projected from the
losses it has shown (`race.timelimit.groups`), measured on the head's whole road so that a
catch does not move it. Statuses change as `race.timelimit.status` allows; alerts are
`race.timelimit.alerts`. After the winner finishes, his time and the cut are final, each group
still on the road gets a countdown, and riders who finish outside are listed.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter

from race.frame import Frame
from race.marks import Marks
from race.models import Bib, Stage
from race.settings import EngineSettings
from race.situation import GroupView, LimitGroup, Roster, TimeLimit
from race.timelimit.alerts import LimitAlerts
from race.timelimit.forecast import Terrain, forecast_winner_time
from race.timelimit.groups import GroupLearner, GroupState, road_gaps
from race.timelimit.percentage import PercentHold, class_label, stage_class_in_force
from race.timelimit.riders import RiderStatuses
from race.timelimit.rules import StageClass, cut_seconds, stage_class
from race.timelimit.status import SEVERITY, UNCERTAIN_SHARE, settle, status_for
from race.timetrial.trial import TIME_TRIALS
from race.wording import clock

_BIB = itemgetter(2)
_TRACK = itemgetter(3)
_FIX_T = attrgetter("t")
"""A placed rider's bib and track, and a track's last fix (taken in C: once per rider per
update)."""

SETTLED_AFTER_KM = 20.0
"""Before the head has covered this much, the winner's forecast swings too much for alerts."""


class TimeLimitTracker:
    """The time-limit picture, updated once per situation by the engine."""

    def __init__(self, settings: EngineSettings, marks: Marks | None = None) -> None:
        self.settings = settings
        self._marks = marks if marks is not None else Marks(settings.team.marked)
        self._named = False
        """Riders are named to watch (configured, or sprinters): else every rider is."""
        self._stage: Stage | None = None
        self._roster = Roster()
        self._terrain: Terrain | None = None
        self._watched: list[Bib] = []
        self._watched_set: frozenset[Bib] = frozenset()
        self._learner = GroupLearner()
        self._riders = RiderStatuses()
        self._alerts = LimitAlerts(self._roster, self._watched)
        self._hold = PercentHold(settings.stage.itt_percent)

    def set_stage(self, stage: Stage, roster: Roster) -> None:
        # The same stage's start list sent again (the route came later, the length corrected):
        # what was learned stays. Another stage gets a new tracker (`race.engine`).
        terrain = Terrain(stage)
        self._stage = stage
        self._roster = roster
        self._terrain = terrain
        self._learner.set_road(stage.distance_km, terrain)
        self.set_roster(roster)

    def set_roster(self, roster: Roster) -> None:
        """The riders, their roles or the marks changed: the watched riders follow, nothing
        learned is lost."""
        self._roster = roster
        self._watched = self._watch_list()
        self._watched_set = frozenset(self._watched)
        self._alerts.set_roster(roster, self._watched, self.watch_all)

    def forecast_winner_time(self, race_time_s: float, head_km: float) -> float | None:
        """Forecast of the winner's time from the head of the race's progress."""
        stage, terrain = self._stage, self._terrain
        if stage is None or terrain is None:
            return None
        covered = stage.distance_km - head_km
        return forecast_winner_time(terrain, stage.distance_km, race_time_s, covered)

    def update(self, frame: Frame) -> TimeLimit:
        """One update.

        `frame.head_passage` tells when the head of the race passed a point (km to go → feed
        time), whoever was at the head then: the engine's record of the first rider at each
        frame. Each group is learned and projected on it (`_road_gaps`). Without it, the groups'
        own gaps are used as they are.
        """
        t, race_time_s, head_km = frame.t, frame.race_time_s, frame.head_km
        winner_time_s, winner_t, groups = frame.winner_time_s, frame.winner_t, frame.groups
        alerts = frame.alerts
        rules = self.settings.rules
        stage = self._stage
        if rules is None or stage is None:
            return TimeLimit()
        coefficient, assumed = stage_class_in_force(rules, self.settings.stage, stage)
        label = class_label(coefficient, assumed)
        common = {
            "rules": rules.name,
            "coefficient": coefficient if isinstance(coefficient, int) else None,
            "category": str(coefficient) if coefficient is not None else None,
            "assumed": assumed,
        }
        head_first = bool(groups) and groups[0].gap_s == 0
        at_head = groups[0].riders if head_first else ()
        behind = list(groups[1:] if head_first else groups)
        gaps = road_gaps(t, groups, frame.head_passage)
        # Learn from every frame, whatever else is missing: the losses are the group's own.
        states = self._learner.track(groups, frame.lineage, gaps)
        if winner_time_s is not None:
            self._alerts.follow_road_groups(groups)
        if coefficient is None:
            return TimeLimit(
                **common,
                basis=f"{rules.name}: no class for a {stage.type} stage; "
                "set [stage] coefficient or category",
            )
        try:
            table = stage_class(rules, coefficient)
        except ValueError:
            return TimeLimit(
                **common,
                basis=f"{rules.name} has no {label}: set [stage] coefficient or category",
            )
        final = winner_time_s is not None
        winner_time: float | None = winner_time_s
        if winner_time is None and race_time_s is not None and head_km is not None:
            winner_time = self.forecast_winner_time(race_time_s, head_km)
        if winner_time is None or winner_time <= 0:
            return TimeLimit(**common, basis=f"{label} · {self._waiting(table)}")

        speed = stage.distance_km / winner_time * 3600.0
        share_to_go = (head_km or 0.0) / stage.distance_km
        percent = self._hold.percent(rules, coefficient, speed, final, share_to_go)
        extra = self.settings.stage.extra_points
        cut = cut_seconds(rules, winner_time, percent, extra)
        approx = "=" if final else "≈"
        points = f"{percent:g} + {extra:g} %" if extra else f"{percent:g} %"
        if table.bands is None:
            rule = f"{points} of the winner's {approx} {clock(winner_time)}"
        else:
            rule = f"winner {approx} {speed:.1f} km/h → {points}"
        basis = f"{label} · {rule} → cut {approx} +{clock(cut)}"

        settled = final or (head_km is not None and stage.distance_km - head_km >= SETTLED_AFTER_KM)
        watched = self._watched
        limit_groups = [
            self._limit_group(
                t, group, gaps[group.id], states[group.id], cut, final, winner_t, watched
            )
            for group in behind
        ]
        road = frame.road
        fixes = dict(zip(map(_BIB, road), map(_FIX_T, map(_TRACK, road)), strict=True))
        self._riders.update(behind, limit_groups, t, fixes, at_head)
        if settled:
            self._alerts.transitions(t, behind, limit_groups, alerts, self._riders, self._worsening)
        self._alerts.finishes(t, behind, limit_groups, alerts)

        reinstated = set(self.settings.time_limit.reinstated)
        outside: list[tuple[float, Bib]] = []
        if final:
            outside = sorted(
                (g.gap_s, b) for g in behind if g.finished and g.gap_s > cut for b in g.riders
            )
        return TimeLimit(
            **common,
            percent=percent + extra,
            winner_time_s=round(winner_time, 1),
            winner_speed_kmh=round(speed, 2),
            final=final,
            cut_s=round(cut),  # As the basis says it (`clock`), and the margins reckon.
            basis=basis,
            groups=tuple(limit_groups),
            finished_outside=tuple(b for _, b in outside if b not in reinstated),
            reinstated=tuple(b for _, b in outside if b in reinstated),
            riders=tuple(self._riders.views(behind, self._watched_set)),
            watch_all=self.watch_all,
        )

    def _waiting(self, table: StageClass) -> str:
        """What the cut waits for: on a time trial, the first finish (its time is the
        winner's until a better one comes); elsewhere, the start."""
        if self._stage is None or self._stage.type not in TIME_TRIALS:
            return "waiting for the race to start"
        percent = self._hold.fixed_percent
        if percent is None:
            percent = table.fixed_percent
        if percent is not None:
            extra = self.settings.stage.extra_points
            points = f"{percent:g} + {extra:g} %" if extra else f"{percent:g} %"
            return f"{points} of the winner's time, from the first finish"
        return "the cut from the first finish"

    def _worsening(self, gid: str) -> bool:
        """The group shows one step of a worse status that waits for its second frame."""
        state = self._learner.groups[gid]
        pending, status = state.pending, state.status
        return pending is not None and status is not None and SEVERITY[pending] > SEVERITY[status]

    @property
    def watch_all(self) -> bool:
        """Neither the feed nor the configuration names a sprinter (nor a rider to watch):
        marked riders alone do not narrow the watch to them."""
        return not self._named

    def _limit_group(
        self,
        t: float,
        group: GroupView,
        road_gap: float,
        state: GroupState,
        cut: float,
        final: bool,
        winner_t: float | None,
        watched: list[Bib],
    ) -> LimitGroup:
        projected, basis, spread = self._learner.projection(state, group, road_gap)
        margin = cut - projected
        countdown = None
        if final and winner_t is not None and not group.finished:
            countdown = winner_t + cut - t
        if group.finished:
            limits = self.settings.time_limit
            status = status_for(margin, limits.tight_margin_s, limits.danger_margin_s)
            state.status, state.pending = status, None
        else:
            expired = countdown is not None and countdown < 0
            status = settle(
                state,
                margin,
                UNCERTAIN_SHARE * spread,
                self.settings.time_limit,
                forced="outside" if expired else None,
            )
        riders = state.riders  # the group's riders, as a set
        projected_s = round(projected)
        return LimitGroup(
            id=group.id,
            name=group.name,
            projected_gap_s=projected_s,
            # Both in whole seconds, as shown: the cut less the gap reads as the margin.
            margin_s=round(cut) - projected_s,
            status=status,
            watched=tuple(b for b in watched if b in riders),
            countdown_s=round(countdown, 1) if countdown is not None else None,
            finished=group.finished,
            basis=basis,
        )

    def _watch_list(self) -> list[Bib]:
        """Watched riders, "my team" first: configured, or each team's sprinter (the roster's
        roles: the feed's, the roles file's, the configured trains', as `race.rolebook` ranks
        them), and the marked riders."""
        if self.settings.time_limit.watch:
            watched = list(self.settings.time_limit.watch)
        else:
            watched = [b for b, r in self._roster.riders.items() if r.role == "sprinter"]
        self._named = bool(watched)
        # Marked riders are watched too (`race.marks`): the alerts follow them.
        watched += sorted(self._marks.bibs - set(watched))
        my_team = self.settings.team.code
        riders = self._roster.riders
        watched.sort(key=lambda b: (not (my_team and b in riders and riders[b].team == my_team), b))
        return watched
