"""The race as data: stage, teams, riders, and the events a feed delivers.

Every feed adapter turns its provider's format into these models; the engine (`race.engine`)
consumes nothing else. Times are UNIX seconds taken from the feed, never from the clock.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from race.wording import folded, proper_name

Bib = int
"""A rider's race number: the identity of a rider everywhere in Ardoise."""

StageType = Literal["flat", "hilly", "mountain", "itt", "ttt"]
RiderRole = Literal["sprinter", "leadout", "leader", "climber", "domestique"]
Jersey = Literal["yellow", "green", "polka-dot", "white"]


class Model(BaseModel):
    """Immutable model that tolerates extra fields (feeds grow new fields over time). Its
    validator is built when first used: a launch from a start point draws the race before."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class Settings(BaseModel):
    """A section of the configuration (`config.toml`), validated once: immutable, and an unknown
    key is an error (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfilePoint(Model):
    """One point of the route: distance from the start and altitude."""

    km: float
    altitude_m: float
    lat: float | None = None
    lon: float | None = None


class Climb(Model):
    """A categorised climb, located by its summit."""

    name: str
    summit_km: float
    """Distance from the start to the summit, in km."""
    length_km: float | None = None
    gradient_pct: float | None = None
    category: str | None = None
    """"HC", "1", "2", "3", "4" or the provider's code."""


class Sprint(Model):
    """An intermediate sprint (points for the green jersey), located on the road."""

    name: str
    """The place, as the roadbook names it."""
    km: float
    """Distance from the start, in km."""


class Stage(Model):
    """What a stage is, as the roadbook describes it."""

    race: str
    """Name of the race, e.g. "Tour de France"."""
    year: int
    number: int | None = None
    start: str = ""
    finish: str = ""
    distance_km: float
    type: StageType = "flat"
    coefficient: int | None = Field(default=None, ge=1, le=6)
    """Time-limit coefficient from the roadbook (1-6) when the feed carries it."""
    timezone: str = "UTC"
    """IANA zone of the stage, for the race clock shown as local time of day."""
    scheduled_start: float | None = None
    """The scheduled start (UNIX s) when the feed gives it: a cross-check of the real start."""
    profile: tuple[ProfilePoint, ...] = ()
    climbs: tuple[Climb, ...] = ()
    sprints: tuple[Sprint, ...] = ()
    """The intermediate sprints (the finish line's own points are the finish)."""

    @property
    def name(self) -> str:
        """Short human name, e.g. "Stage 5 Lannemezan › Pau"."""
        parts = [f"Stage {self.number}" if self.number is not None else "Stage"]
        if self.start and self.finish:
            parts.append(f"{self.start} › {self.finish}")
        return " ".join(parts)


def covered_km(stage: Stage | None, head_km: float | None) -> float | None:
    """How far the head of the race has ridden from the start; None when either is unknown."""
    return stage.distance_km - head_km if stage is not None and head_km is not None else None


def same_stage(stage: Stage, other: Stage) -> bool:
    """Whether two start lists are of one stage. A start list sent again for the same stage (a
    rider added, a role changed, the length corrected, the start delayed, a value it no longer
    carries, a place spelt again) is not a new race: only a value both give, and that tells one
    stage from another, can say it is another. The places decide only when neither the number
    nor the day can (a new race reset mid-stage loses everything seen of the road)."""

    def differ(a: object, b: object) -> bool:
        return bool(a is not None and b is not None and a != b and a != "" and b != "")

    if (
        stage.year != other.year
        or differ(folded(stage.race), folded(other.race))
        or differ(stage.number, other.number)
        or differ(_day(stage), _day(other))
    ):
        return False
    if None not in (stage.number, other.number) or None not in (_day(stage), _day(other)):
        return True
    return not (
        differ(folded(stage.start), folded(other.start))
        or differ(folded(stage.finish), folded(other.finish))
    )


def with_what_it_knew(stage: Stage, before: Stage) -> Stage:
    """A start list sent again for the same stage, with what it no longer carries and the one
    before did (the number, the places, the scheduled start, the coefficient, the route): a
    value the feed leaves out is not one it takes back."""
    kept = {
        name: getattr(before, name)
        for name in (
            "number",
            "start",
            "finish",
            "scheduled_start",
            "coefficient",
            "profile",
            "climbs",
            "sprints",
        )
        if getattr(stage, name) in (None, "", ()) and getattr(before, name) not in (None, "", ())
    }
    return stage.model_copy(update=kept) if kept else stage


def stage_sent(stage: Stage, before: Stage | None) -> tuple[Stage, bool]:
    """The stage a start list gives after `before` (None: the first one), and whether it is
    another stage; the same one sent again keeps what it no longer carries from `before`."""
    if before is None:
        return stage, False
    if not same_stage(stage, before):
        return stage, True
    return with_what_it_knew(stage, before), False


def _day(stage: Stage) -> int | None:
    """The stage's UTC day: it turns at night, when no stage starts."""
    start = stage.scheduled_start
    return int(start // 86_400) if start is not None else None


class Team(Model):
    code: str
    """Short code, e.g. "UAD" (the key "my team" is configured with)."""
    name: str


class Rider(Model):
    bib: Bib
    first_name: str
    last_name: str
    team: str
    """Team code."""
    nationality: str | None = None
    role: RiderRole | None = None
    """Role in the team when the feed or the config knows it."""

    @field_validator("first_name", "last_name")
    @classmethod
    def _proper_case(cls, name: str) -> str:
        """Names as cycling writes them, whatever the feed: the one place they are made so
        (the Race Center sends family names in capitals, "VAN DER POEL")."""
        return proper_name(name)

    @property
    def short_name(self) -> str:
        """Initial and family name, e.g. "J. Philipsen"."""
        initial = f"{self.first_name[:1]}. " if self.first_name else ""
        return f"{initial}{self.last_name}"


class RiderFix(Model):
    """One rider's position in a telemetry frame. Any field but the bib may be missing."""

    bib: Bib
    km_to_finish: float | None = None
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    feed_gap_s: float | None = None
    """The provider's own gap to the first rider (Race Center `secToFirstRider`), for comparison."""
    altitude_m: float | None = None
    gradient_pct: float | None = None
    finished: bool = False
    jersey: Jersey | None = None
    avg_speed_kmh: float | None = None
    """The provider's average speed since the rider's start (time trials: Race Center
    `kphAvg`), which times a rider whose start the feed did not show."""
    temperature_c: float | None = None
    """The air temperature the rider's sensor measures (Race Center `degC`)."""
    wind_kmh: float | None = None
    """The wind's speed where the rider is, in km/h (Race Center `kphWind`)."""
    wind_angle_deg: float | None = None
    """Where the wind comes from, in degrees clockwise from the rider's heading (Race Center
    `RiderWindDir`, -180 to 180): the wind's own direction is the heading plus this. On the
    2026 time trial the riders' headings plus this agree within 30° with the organiser's
    "NNE" at the start's checkpoint, all afternoon."""
    course_deg: float | None = None
    """The rider's heading, degrees clockwise from north (Race Center `Course`; the feed
    sends 0 when it does not know it, read as unknown)."""


# --- Feed events -------------------------------------------------------------------------------


class StartList(Model):
    """The stage and its start list. Sent first by every adapter, and again when it changes."""

    kind: Literal["start_list"] = "start_list"
    stage: Stage
    teams: tuple[Team, ...] = ()
    riders: tuple[Rider, ...] = ()


class Telemetry(Model):
    """A frame of rider positions at one instant."""

    kind: Literal["telemetry"] = "telemetry"
    t: float
    riders: tuple[RiderFix, ...]


NewsCategory = Literal["crash", "abandon", "puncture", "mechanical", "commentary", "finish"]


class RaceNews(Model):
    """Something race radio says: a crash, an abandon, a line of commentary."""

    kind: Literal["news"] = "news"
    t: float
    category: NewsCategory = "commentary"
    text: str
    riders: tuple[Bib, ...] = ()


class ReportedGroup(Model):
    """A group as the provider reports it (the Race Center's `pack`), with its own name."""

    name: str
    """The provider's name, e.g. "Peloton", "Gr. Maillot Vert"."""
    order: int | None = None
    """Its place on the road as the provider numbers it (front first)."""
    bibs: tuple[Bib, ...] = ()
    size: int | None = None
    """Riders in it as the provider counts them (more than `bibs` when not all are named)."""
    gap_s: float | None = None
    """Behind the head of the race, in s."""
    km_to_finish: float | None = None
    speed_kmh: float | None = None
    lat: float | None = None
    lon: float | None = None


class ReportedGroups(Model):
    """The provider's own groups at one instant: a cross-check of the groups the engine finds,
    and the groups themselves when there is no rider telemetry. The engine may ignore them."""

    kind: Literal["groups"] = "groups"
    t: float
    """When the provider made them (UNIX s), or else the feed's time when they came."""
    groups: tuple[ReportedGroup, ...] = ()


class WeatherReading(Model):
    """The weather at one point of the route, as the organiser reports it."""

    place: str
    km: float | None = None
    """Distance of the point from the start."""
    at: float | None = None
    """When it was measured (UNIX s)."""
    temperature_c: float | None = None
    wind_direction: str | None = None
    """Where the wind comes from, as a compass point ("NNE")."""
    wind_force: float | None = None
    """The organiser's wind force figure, as sent (the feed does not state its unit)."""
    sky: str | None = None
    """The organiser's words for the sky, e.g. "ciel dégagé"."""


class Weather(Model):
    """The weather along the route (the Race Center's checkpoints). The engine may ignore it."""

    kind: Literal["weather"] = "weather"
    t: float
    """The feed's time when the report came (UNIX s)."""
    readings: tuple[WeatherReading, ...] = ()


FeedState = Literal[
    "connecting", "live", "stale", "reconnecting", "paused", "ended", "error", "waiting"
]
"""`waiting`: the feed works but has nothing to show yet (a rest day, the stage not published,
the race not begun); the status's `detail` says what ("Rest day · Stage 16 tomorrow, 13:05")."""


class FeedStatus(Model):
    """The adapter's own state: it reads the clock, so `at` is wall-clock time, not race time."""

    kind: Literal["status"] = "status"
    state: FeedState
    at: float
    detail: str = ""
    attempt: int | None = None
    retry_in_s: float | None = None
    rejected: int = 0
    """Malformed events dropped so far (counted and shown, never fatal)."""
    other_stage: int = 0
    """Frames of another stage ignored so far (a server's snapshot of an earlier stage, sent
    on connect): counted and shown, never taken as this stage's."""


FeedEvent = Annotated[
    StartList | Telemetry | RaceNews | FeedStatus | ReportedGroups | Weather,
    Field(discriminator="kind"),
]
"""Everything an adapter can yield; also Ardoise's own wire and recording format."""
