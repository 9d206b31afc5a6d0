"""Everything the analysis is tuned with, validated once: the engine's settings are the
configuration's `[stage]`, `[team]`, `[gaps]`, `[time_limit]` and `[leadout]` sections, each
defined by its own concern, plus the time-limit rules and the roles file the app loaded."""

from __future__ import annotations

from pydantic import Field, model_validator

from race.gaps.settings import GapsSettings
from race.leadout.settings import LeadoutSettings, TrainSettings
from race.models import Bib, Settings, Stage
from race.roles import DeclaredRoles
from race.timelimit.rules import RuleSet
from race.timelimit.settings import TimeLimitSettings


class StageSettings(Settings):
    """The `[stage]` section: what the roadbook says of today's stage, over the feed."""

    coefficient: int | None = Field(default=None, ge=1, le=6)
    """Time-limit coefficient of the stage (1-6); overrides the feed's."""
    category: str | None = None
    """Stage category for rule sets that use letters (the Giro: "A" to "E")."""
    rules: str = "tdf"
    """Time-limit rule set: "tdf", "giro", or the path of a rules file (read by the app, which
    gives the engine the parsed `RuleSet`)."""
    extra_points: float = Field(default=0.0, ge=0, le=100)
    """Percentage points the organiser added to the time limit for this stage."""
    itt_percent: float | None = Field(default=None, gt=0, le=100)
    """Time limit of an individual time trial (coefficient 6), decided per stage."""
    split_threshold_s: float = Field(default=3.0, gt=0, le=60)
    """A new group starts where the gap to the rider ahead exceeds this many seconds.

    The UCI finish rule is 1 s; 3 s on designated sprint stages."""

    @property
    def class_in_force(self) -> int | str | None:
        """The stage's class as configured (a category over a coefficient), None: the feed's."""
        return self.category or self.coefficient

    def shown(self, stage: Stage) -> Stage:
        """The stage as shown: the configured coefficient over the feed's."""
        coefficient = self.class_in_force
        return (
            stage.model_copy(update={"coefficient": coefficient})
            if isinstance(coefficient, int)
            else stage
        )


class TeamSettings(Settings):
    """The `[team]` section: "my team" and the riders followed closely."""

    code: str | None = None
    """"My team": its riders are highlighted, its train and sprinter shown first."""
    marked: tuple[Bib, ...] = ()
    """Bibs of riders to follow closely (alerts when dropped)."""
    sprinter: Bib | None = None
    """My team's sprinter: with `leadout`, my team's train, above the roles file and the feed."""
    leadout: tuple[Bib, ...] = ()
    """My team's lead-out men in their planned order, first man first, last man last."""

    @model_validator(mode="after")
    def _a_train_of_my_team(self) -> TeamSettings:
        if self.sprinter is not None and not self.code:
            raise ValueError("sprinter needs code: the team he rides for")
        if self.leadout and self.sprinter is None:
            raise ValueError("leadout needs sprinter: the rider they ride for")
        return self

    @property
    def train(self) -> TrainSettings | None:
        """My team's train as configured here, or None."""
        if self.sprinter is None or not self.code:
            return None
        return TrainSettings(team=self.code, sprinter=self.sprinter, leadout=self.leadout)


class EngineSettings(Settings):
    stage: StageSettings = StageSettings()
    team: TeamSettings = TeamSettings()
    gaps: GapsSettings = GapsSettings()
    time_limit: TimeLimitSettings = TimeLimitSettings()
    leadout: LeadoutSettings = LeadoutSettings()
    rules: RuleSet | None = None
    """The time-limit rule set named by `[stage] rules` (None: no time-limit projection)."""
    roles: DeclaredRoles | None = None
    """The roles file named by `[riders] roles`, read by the app (None: none)."""

    @model_validator(mode="after")
    def _one_train_per_team(self) -> EngineSettings:
        if self.team.train is not None and any(
            t.team == self.team.code for t in self.leadout.trains
        ):
            raise ValueError(TRAIN_TWICE)
        return self

    @property
    def trains(self) -> tuple[TrainSettings, ...]:
        """The configured trains: my team's (`[team]`) and `[leadout] trains`."""
        mine = self.team.train
        return self.leadout.trains if mine is None else (mine, *self.leadout.trains)


TRAIN_TWICE = "my team's train is in [team] and in [leadout] trains: keep one"
