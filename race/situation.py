"""The `Situation`: what the engine knows at one instant, and all that the screen shows.

A `Situation` is immutable. Its JSON form (`Situation.to_json_dict`) is the public contract of
`ardoise situation --json`, documented in the README; keys are only ever added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field, field_serializer

from race.finale import SUPPORTED as SUPPORTED
from race.finale import Finale as Finale
from race.finale import SprinterState as SprinterState
from race.finale import TeamShare as TeamShare
from race.finale import Train as Train
from race.finale import TrainRider as TrainRider
from race.models import Bib, FeedStatus, ReportedGroup, Rider, Stage, Team, WeatherReading
from race.view import View
from race.wind.view import Crosswind, WindNow
from race.wording import name_list

GroupKind = Literal["head", "chase", "peloton", "group", "grupetto", "dropped", "leader"]
LimitStatus = Literal["safe", "tight", "danger", "outside"]
AlertLevel = Literal["info", "warning", "critical"]
RaceState = Literal["pre-start", "neutralised", "racing", "finishing", "finished"]
Placing = Literal["feed", "gps", "none"]
"""Where the riders' km to go come from: the feed's own, their GPS fixes projected on the route
(the feed giving none), or neither (positions the engine cannot place)."""


class Notable(View):
    """A rider worth naming in a group, and why."""

    bib: Bib
    reasons: tuple[str, ...]
    """Any of "yellow", "green", "polka-dot", "white", "my team", "marked", "sprinter"."""


class CatchProjection(View):
    """Where this group catches the group ahead (or is caught by the one behind) if trends hold."""

    km_to_finish: float | None
    """Km to go at the catch; None when it would not happen before the line."""
    closing_s_per_10km: float
    basis: str
    """How the projection was made, shown beside it, e.g. "−42 s/10 km over 8 km"."""


class GroupView(View):
    id: str
    name: str
    kind: GroupKind
    riders: tuple[Bib, ...]
    """In road order, front first."""
    gap_s: float
    """Passage-time gap of the group's first rider to the head of the race."""
    gap_to_ahead_s: float | None
    km_to_finish: float
    speed_kmh: float | None
    trend_s_per_10km: float | None
    """Change of the gap per 10 km (negative: closing on the head)."""
    trend_s_per_min: float | None
    trend_basis: str | None
    catch: CatchProjection | None = None
    notable: tuple[Notable, ...] = ()
    finished: bool = False
    """True once the group has crossed the line (its gap is then final)."""
    unseen_since_t: float | None = None
    """The last fix of any of its riders (UNIX s) when none of them is in the last frame: the
    feed lost them, and the group is placed where their gaps put them (for `[gaps]
    hold_missing_s`; lost in the final 3 km, until they finish). None while any is seen."""
    held: tuple[tuple[Bib, float], ...] = ()
    """Its riders the last frame did not carry, each with his last fix (UNIX s), in road
    order: held where their gaps put them, as a group none of whose riders is seen is."""

    @property
    def size(self) -> int:
        return len(self.riders)


class LimitGroup(View):
    id: str
    name: str
    projected_gap_s: float
    """Projected gap to the winner at the finish (the actual one once the group has finished),
    in whole seconds."""
    margin_s: float
    """Cut minus projected gap, each in whole seconds as shown: negative means outside the
    limit. (The status is judged on the exact margin: at 0 it may say either.)"""
    status: LimitStatus
    watched: tuple[Bib, ...] = ()
    """Watched riders in the group (sprinters by default; my team first)."""
    countdown_s: float | None = None
    """After the winner has finished: seconds left for this group to cross the line."""
    finished: bool = False
    """The group has crossed the line: its gap and margin are final."""
    basis: str = ""
    """How the projection was made, e.g. "+4:10 to come: climbs 48 s/km, descents −3 s/km"."""


class LimitRider(View):
    """One rider against the cut. His status is the worst of the groups he rode in over the
    last km of his road (`race.timelimit.riders`): joining a safer group does not make him safe
    at once. A rider the feed has lost keeps his last status."""

    bib: Bib
    status: LimitStatus
    margin_s: float | None = None
    """His group's margin now; None when unknown (he is missing from the feed)."""
    group_id: str | None = None
    """His group now; None when he is missing from the feed."""
    missing_since_t: float | None = None
    """His last fix (UNIX s), once the engine no longer places him (`[gaps] hold_missing_s`
    after that fix); None while he is placed."""
    finished: bool = False
    """He has crossed the line: his status is final."""
    watched: bool = False
    """Named to watch (configured, or a sprinter)."""


class TimeLimit(View):
    rules: str = ""
    """Name of the rule set, e.g. "Tour de France"."""
    coefficient: int | None = None
    percent: float | None = None
    winner_time_s: float | None = None
    winner_speed_kmh: float | None = None
    final: bool = False
    cut_s: float | None = None
    """Allowed gap to the winner, in whole seconds (the rules' own rounding first)."""
    basis: str = ""
    """One line explaining the projection.

    For example "coef 4 · winner ≈ 37.5 km/h → 15 % → cut ≈ +47:39"."""
    groups: tuple[LimitGroup, ...] = ()
    finished_outside: tuple[Bib, ...] = ()
    """Riders who crossed the line after the limit (final once the winner has finished)."""
    category: str | None = None
    """The stage's class as the rules name it: "4" (a Tour coefficient) or "D" (a Giro category)."""
    assumed: bool = False
    """The class was assumed from the stage type: neither the feed nor the config gave one."""
    reinstated: tuple[Bib, ...] = ()
    """Riders outside the limit whom the jury reinstated (configured): not in `finished_outside`."""
    riders: tuple[LimitRider, ...] = ()
    """The riders that matter against the cut: those whose status is not safe, those missing
    from the feed and the watched ones; in road order, then the missing ones. A rider behind
    the head who is not listed is safe."""
    watch_all: bool = False
    """Neither the feed nor the configuration names a sprinter: every rider behind the head is
    watched, and the alerts name the riders."""


class Alert(View):
    t: float
    kind: str
    text: str
    level: AlertLevel = "info"
    key: str = ""
    """Identity of the condition that raised it, used to debounce."""


class Roster(View):
    """Teams and riders, shared by successive situations (never copied per frame)."""

    teams: dict[str, Team] = Field(default_factory=dict)
    riders: dict[Bib, Rider] = Field(default_factory=dict)

    def name(self, bib: Bib) -> str:
        rider = self.riders.get(bib)
        return rider.short_name if rider else f"#{bib}"

    def names(self, bibs: Iterable[Bib], limit: int | None = None) -> str:
        """ "A. NAME, B. OTHER +4" (see `race.wording.name_list`)."""
        return name_list([self.name(b) for b in bibs], limit)


class TimeTrialView(View):
    """A time trial: riders start one by one, so each is timed against the best time at the
    same point of the course, not against a head of the race on the road."""

    on_course: int = 0
    finished: int = 0
    to_start: int | None = None
    """Riders of the start list not yet seen on the course; None without a start list."""
    to_start_bound: bool = True
    """`to_start` is only an upper bound: the feed began with riders already out on the
    course, so a rider it never saw may have finished before it began (or be out of the
    race)."""
    without_split: int = 0
    """Riders on course with no comparable split yet (just started, or nobody's time is
    known at their point): not in the standings."""
    not_timed: tuple[Bib, ...] = ()
    """Riders seen on the course whose start the feed did not show (no time for them)."""
    best: Bib | None = None
    """The best time so far (final once every rider has finished)."""
    best_time_s: float | None = None
    basis: str = ""
    """How the times are found, shown with them."""


class LostRider(View):
    """A rider the feed tracked on the road and then lost: neither across the line nor placed
    any more (an abandon, a device switched off, a gap in the tracking). His finish is
    unknown, never guessed."""

    bib: Bib
    km_to_finish: float
    """Where his last fix put him."""
    t: float
    """The time of his last fix."""


class Situation(View):
    t: float | None = None
    """Feed time of the last telemetry (UNIX s); None before the first frame."""
    stage: Stage | None = None
    """The stage as Ardoise takes it: its coefficient is the one in force (the configuration's
    over the feed's). None before the start list. Its JSON is a summary (`_stage_summary`)."""
    race_state: RaceState = "pre-start"
    """Where the race is: "pre-start" (the feed shows riders, not a race), "neutralised"
    (rolling, not yet racing), "racing", "finishing" (the winner is in, others on the road),
    "finished". Until "racing" nothing the feed sends is taken as positions in the race."""
    race_state_detail: str = ""
    """Why, in a few words (e.g. "riders standing (1 km/h)", "riders off the route")."""
    placing: Placing | None = None
    """Where the last frame's km to go came from: "feed" (every one the feed's own), "gps"
    (the feed gives none for some or all riders: their GPS fixes projected on the route),
    "none" (no km to go and nothing to place the riders with: no route, or no positions).
    None before the first frame."""
    placing_detail: str = ""
    """Why, in a few words: "positions only: no route", "176 riders placed from GPS, 4 off
    the route", "riders off the route"; empty when the feed gives every km to go."""
    race_time_s: float | None = None
    """Time since the real start (the head passing km 0); None before it."""
    start_t: float | None = None
    """The real start (UNIX s): the head of the race passing km 0."""
    start_basis: str = ""
    """How the start was found: "seen", "extrapolated over 3.1 km (...)", "scheduled"."""
    head_km_to_finish: float | None = None
    head_rider: Bib | None = None
    """The rider whose road gaps are measured on: a rider at the head of the race (the one who
    was there first when several ride together), then the winner."""
    head_speed_kmh: float | None = None
    winner_finished: bool = False
    winner: Bib | None = None
    winner_t: float | None = None
    """When the winner crossed the line (UNIX s); gaps after it are to this time."""
    winner_sure: bool = True
    """False when the feed's positions cannot tell who crossed first (riders level with him
    at his last fix): the winner is then a guess, shown with "?"."""
    winner_basis: str = ""
    """How his time was found, e.g. "extrapolated 30 m from his last fix"."""
    riders_tracked: int = 0
    lost: tuple[LostRider, ...] = ()
    """The riders the feed tracked on the road and then lost (no longer placed, not across the
    line), nearest the line first: said, never silently forgotten."""
    groups: tuple[GroupView, ...] = ()
    organiser_check: str | None = None
    """One line when the organiser's own groups (the Race Center's `pack`) disagree with
    `groups` beyond a tolerance (`race.reported`), e.g. "Organiser: 3 groups, Échappée +2:10
    (Ardoise +1:40)"; None when they agree or there is nothing to compare."""
    organiser_groups: tuple[ReportedGroup, ...] = ()
    """The organiser's groups as it sent them, front first, standing in for `groups` when
    there is no usable rider telemetry (`organiser_groups_basis` says why); empty otherwise."""
    organiser_groups_basis: str = ""
    """Why the organiser's groups are shown: "no rider telemetry for 2:30", "riders cannot be
    placed", "no rider telemetry"."""
    weather: WeatherReading | None = None
    """The organiser's weather at the checkpoint nearest ahead of the head of the race (the
    start's before the race); None when the feed gives none."""
    wind: WindNow | None = None
    """The wind where the riders near the front are, from their sensors (`race.wind`); None
    when the feed sends no rider's wind (or none for 10 minutes)."""
    crosswinds: tuple[Crosswind, ...] = ()
    """Stretches of the road ahead of the head of the race across a strong wind, nearest
    first (a road stage's: a time trial's riders ride alone)."""
    time_limit: TimeLimit = TimeLimit()
    leadout: tuple[Train, ...] = ()
    finale: Finale = Finale()
    alerts: tuple[Alert, ...] = ()
    """Every alert so far, oldest first."""
    new_alerts: int = 0
    """How many of `alerts` this update raised (they are the last ones)."""
    news: tuple[Alert, ...] = ()
    """What the feed's own race radio said (crashes, commentary), oldest first."""
    feed: FeedStatus | None = None
    events_applied: int = 0
    frames_dropped: int = 0
    """Frames set aside since the engine started: older than one already applied (out of
    order), with a time that cannot be UNIX seconds, or far ahead of the others with nothing
    following them."""
    degraded: tuple[str, ...] = ()
    """Why the engine's own numbers cannot be right (a winner's forecast above 60 km/h, a head
    standing while riders ride): shown as a warning, not as facts. Empty when nothing is seen."""
    values_dropped: int = 0
    """Values in riders' fixes that cannot be right (NaN, infinite, absurd), and a rider's second
    fix at one instant, dropped since this stage's start list."""
    time_trial: TimeTrialView | None = None
    """Set on a time trial, where `groups` are riders timed against the best time."""
    roster: Roster = Field(default_factory=Roster, exclude=True)
    marked: tuple[Bib, ...] = Field(default=(), exclude=True)
    """The riders marked to follow closely now (`race.marks`), lowest bib first. Not in the
    JSON: the groups' `notable` say who is marked where."""

    @field_serializer("stage")
    def _stage_summary(self, stage: Stage | None) -> dict[str, Any]:
        """The stage in the JSON: what identifies it, not its profile (see the README)."""
        if stage is None:
            return {
                "name": "",
                "distance_km": 0.0,
                "coefficient": None,
                "race": "",
                "year": None,
                "type": None,
            }
        return {
            "name": stage.name,
            "distance_km": stage.distance_km,
            "coefficient": stage.coefficient,
            "race": stage.race,
            "year": stage.year,
            "type": stage.type,
        }

    @property
    def timezone(self) -> str:
        """The stage's IANA zone, for times of day ("UTC" before the start list)."""
        return self.stage.timezone if self.stage is not None else "UTC"

    def to_json_dict(self) -> dict[str, Any]:
        """The public JSON form (see the README, "The situation JSON").

        The feed status's `at` is the adapter's wall-clock time, not race data: left out so
        that the same feed always gives the same JSON.
        """
        return self.model_dump(mode="json", exclude={"new_alerts": True, "feed": {"at"}})
