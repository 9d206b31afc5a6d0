"""Configuration: the embedded `config.toml`, a user file, and `ARDOISE_...` environment variables.

Layers, later ones winning key by key: the embedded default (the root `config.toml`), the user's
file (`--config PATH`, or else `$XDG_CONFIG_HOME/ardoise/config.toml` when it exists), then the
environment (`ARDOISE_FEED__SPEED=0`, `ARDOISE_TEAM__CODE=UAD`; `__` separates levels). Every
file is validated on its own first, so an error names the file it is in; every model forbids
unknown keys. A bad configuration raises `ConfigError`, which the CLI prints as one line.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

ENV_PREFIX = "ARDOISE_"


class ConfigError(Exception):
    """A configuration that cannot be used: where it is, which key, and why."""

    def __init__(self, source: str, key: str | None, reason: str) -> None:
        self.source = source
        self.key = key
        self.reason = reason
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {reason}")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(Section):
    adapter: str = "simulated"
    """Name of the feed adapter (an entry point of the group `ardoise.feeds`)."""
    path: Path | None = None
    """File read by replaying adapters (`recording`); relative to the file that sets it."""
    speed: float | None = Field(default=None, ge=0, le=1000)
    """Replay speed factor: 1 = real time, 20 = twenty times faster, 0 = as fast as possible."""
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-adapter options, from the `[feed.<adapter>]` tables."""

    @model_validator(mode="before")
    @classmethod
    def _collect_adapter_tables(cls, data: Any) -> Any:
        """`[feed.simulated]` and the like are the options of the adapter of that name."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        options = dict(data.pop("options", None) or {})
        for key in list(data):
            if key not in cls.model_fields and isinstance(data[key], dict):
                options[key] = data.pop(key)
        data["options"] = options
        return data


class StageConfig(Section):
    coefficient: int | None = Field(default=None, ge=1, le=6)
    """Time-limit coefficient of the stage (1-6); overrides the feed's."""
    category: str | None = None
    """Stage category for rule sets that use letters (the Giro: "A" to "E")."""
    rules: str = "tdf"
    """Time-limit rule set: "tdf", "giro", or the path of a rules TOML file."""
    extra_points: float = Field(default=0.0, ge=0, le=100)
    """Percentage points the organiser added to the time limit for this stage."""
    itt_percent: float | None = Field(default=None, gt=0, le=100)
    """Time limit of an individual time trial (coefficient 6), decided per stage."""
    split_threshold_s: float = Field(default=3.0, gt=0, le=60)
    """A new group starts where the gap to the rider ahead exceeds this many seconds."""


class GapsConfig(Section):
    trend_window_km: float = Field(default=10.0, gt=0, le=100)
    """A group's trend is fitted over this much road behind it."""
    trend_min_km: float = Field(default=2.0, gt=0, le=50)
    """No trend is shown before a group has this much road behind it."""
    gap_alert_s_per_10km: float = Field(default=30.0, gt=0)
    """A gap to the peloton opening or closing faster than this is announced."""
    hold_missing_s: float = Field(default=90.0, ge=0, le=3600)
    """A rider missing from the feed keeps his gap this long, then is no longer tracked."""


class TeamConfig(Section):
    code: str | None = None
    """"My team": its riders are highlighted, its train and sprinter shown first."""
    marked: list[int] = Field(default_factory=list)
    """Bibs of riders to follow closely (alerts when dropped)."""


class TimeLimitConfig(Section):
    tight_margin_s: float = Field(default=300.0, gt=0)
    """A group whose projected margin to the cut is below this is `tight`."""
    danger_margin_s: float = Field(default=120.0, gt=0)
    """Below this it is `danger`; below zero, `outside`."""
    watch: list[int] = Field(default_factory=list)
    """Riders watched against the limit; empty: each team's sprinter."""
    status_band_s: float = Field(default=15.0, ge=0, le=120)
    """A status gets better only once the margin clears its threshold by this many seconds."""
    reinstated: list[int] = Field(default_factory=list)
    """Riders outside the limit whom the jury reinstated: listed apart, not as outside."""

    @model_validator(mode="after")
    def _ordered(self) -> TimeLimitConfig:
        if self.danger_margin_s >= self.tight_margin_s:
            raise ValueError("danger_margin_s must be smaller than tight_margin_s")
        return self


class TrainConfig(Section):
    team: str = Field(min_length=1)
    """Team code, as the feed spells it."""
    sprinter: int
    leadout: list[int] = Field(default_factory=list)
    """Lead-out riders in their planned order, first man first, last man last."""

    @model_validator(mode="after")
    def _distinct(self) -> TrainConfig:
        if self.sprinter in self.leadout:
            raise ValueError("the sprinter cannot also be one of his lead-out men")
        if len(set(self.leadout)) != len(self.leadout):
            raise ValueError("a lead-out rider is listed twice")
        return self


class LeadoutConfig(Section):
    finale_km: float = Field(default=10.0, gt=0, le=50)
    """The lead-out picture is live from this distance to go (the head of the bunch)."""
    detect_km: float = Field(default=15.0, ge=0, le=50)
    """Trains nobody declared are detected on the road from this distance to go (0: never)."""
    wheel_m: float = Field(default=5.0, gt=0, le=50)
    """A sprinter within this distance of his last man is on the wheel."""
    lost_wheel_m: float = Field(default=15.0, gt=0, le=200)
    """Beyond this distance he has lost the wheel (in between: the gap is opening)."""
    out_of_position_rank: int = Field(default=30, ge=2, le=200)
    """In the finale a sprinter further back than this is out of position."""
    trains: list[TrainConfig] = Field(default_factory=list)
    """Declared trains; teams not declared are taken from the feed's roles or detected."""

    @field_validator("lost_wheel_m")
    @classmethod
    def _beyond_the_wheel(cls, value: float, info: ValidationInfo) -> float:
        wheel = info.data.get("wheel_m")
        if wheel is not None and value <= wheel:
            raise ValueError(f"must be larger than wheel_m ({wheel:g})")
        return value


class DisplayConfig(Section):
    theme: Literal["ardoise", "sunlight"] = "ardoise"
    """"sunlight": high contrast, for a laptop in the team car."""


class ArdoiseConfig(Section):
    feed: FeedConfig = FeedConfig()
    stage: StageConfig = StageConfig()
    gaps: GapsConfig = GapsConfig()
    team: TeamConfig = TeamConfig()
    time_limit: TimeLimitConfig = TimeLimitConfig()
    leadout: LeadoutConfig = LeadoutConfig()
    display: DisplayConfig = DisplayConfig()
    keymap: dict[str, str] = Field(default_factory=dict)
    """Rebind keys: binding id = key, e.g. `pause = "space"`."""


def _apply_environment(merged: dict[str, Any]) -> ArdoiseConfig:
    """The merged files as init values, with `ARDOISE_...` variables over them.

    pydantic-settings is imported only when such a variable is set: it costs ~0.1 s of start-up.
    """
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

    class Environment(ArdoiseConfig, BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (env_settings, init_settings)

    return ArdoiseConfig.model_validate(Environment(**merged).model_dump())


class LoadedConfig(BaseModel):
    """A validated configuration and where each of its keys came from."""

    model_config = ConfigDict(frozen=True)

    config: ArdoiseConfig
    origins: dict[str, str]
    """Dotted key → the file (or environment variable) that set it last."""
    files: tuple[Path, ...]

    def origin(self, key: str) -> str:
        """The source of `key`, or of its nearest parent that was set."""
        parts = key.split(".")
        while parts:
            found = self.origins.get(".".join(parts))
            if found:
                return found
            parts.pop()
        return str(self.files[-1]) if self.files else "configuration"

    def base_dir(self, key: str) -> Path:
        """Folder that relative paths in `key` are resolved against."""
        origin = self.origin(key)
        if origin.startswith("environment"):
            return Path.cwd()
        return Path(origin).parent


def default_config_path() -> Path:
    """The embedded default: packaged beside this module, or the repository root in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "default_config.toml"
    return packaged if packaged.exists() else here.parent / "config.toml"


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ardoise" / "config.toml"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except OSError as error:
        raise ConfigError(str(path), None, f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, "not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), None, f"invalid TOML: {error}") from None


def load_config(path: Path | None = None) -> LoadedConfig:
    """Load and validate the configuration layers; raise `ConfigError` on the first problem."""
    files = [default_config_path()]
    if path is not None:
        files.append(path)
    elif (user := user_config_path()).exists():
        files.append(user)
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for file in files:
        data = read_toml(file)
        try:
            ArdoiseConfig.model_validate(data)
        except ValidationError as error:
            raise _config_error(str(file), error, ArdoiseConfig) from None
        _merge(merged, data, origins, str(file), ())
    variables = [name for name in os.environ if name.upper().startswith(ENV_PREFIX)]
    for name in variables:
        key = name[len(ENV_PREFIX) :].lower().replace("__", ".")
        origins[key] = f"environment variable {name}"
    try:
        config = _apply_environment(merged) if variables else ArdoiseConfig.model_validate(merged)
    except ValidationError as error:
        raise _config_error(None, error, ArdoiseConfig, origins) from None
    return LoadedConfig(config=config, origins=origins, files=tuple(files))


def _merge(
    into: dict[str, Any],
    data: Mapping[str, Any],
    origins: dict[str, str],
    source: str,
    prefix: tuple[str, ...],
) -> None:
    for key, value in data.items():
        dotted = (*prefix, key)
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value, origins, source, dotted)
        else:
            into[key] = value
            origins[".".join(dotted)] = source
            if isinstance(value, dict):
                _record(value, origins, source, dotted)


def _record(
    data: Mapping[str, Any], origins: dict[str, str], source: str, prefix: tuple[str, ...]
) -> None:
    for key, value in data.items():
        origins[".".join((*prefix, key))] = source
        if isinstance(value, dict):
            _record(value, origins, source, (*prefix, key))


def _config_error(
    source: str | None,
    error: ValidationError,
    model: type[BaseModel],
    origins: Mapping[str, str] | None = None,
    prefix: str = "",
) -> ConfigError:
    """The first validation error as a `ConfigError` naming its key (with a "did you mean")."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"] if not isinstance(part, int)]
    if loc[:2] == ["feed", "options"]:
        loc = ["feed", *loc[2:]]
    key = ".".join(filter(None, [prefix, *loc])) or None
    reason = first["msg"]
    if first["type"] == "extra_forbidden":
        reason = "unknown key"
        suggestion = _did_you_mean(model, loc)
        if suggestion:
            reason += f" (did you mean {suggestion!r}?)"
    elif "input" in first and not isinstance(first["input"], dict | list):
        reason += f" (got {first['input']!r})"
    if source is None:
        source = _origin_of(origins or {}, key or "") or "configuration"
    return ConfigError(source, key, reason)


def _origin_of(origins: Mapping[str, str], key: str) -> str | None:
    parts = key.split(".")
    while parts:
        found = origins.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return None


def _did_you_mean(model: type[BaseModel], loc: list[str]) -> str | None:
    """Closest valid name for the last element of `loc`, walking nested models."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        field = current.model_fields.get(part) if current else None
        annotation = field.annotation if field else None
        current = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    if current is None or not loc:
        return None
    names = [n for n in current.model_fields if n != "options"]
    close = difflib.get_close_matches(loc[-1], names, n=1, cutoff=0.6)
    return close[0] if close else None


def describe_validation_error(
    loaded: LoadedConfig, error: ValidationError, key_prefix: str, model: type[BaseModel]
) -> ConfigError:
    """A `ConfigError` for a model validated from a section of the configuration."""
    first = error.errors()[0]
    loc = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
    key = f"{key_prefix}.{loc}" if loc else key_prefix
    return _config_error(loaded.origin(key), error, model, prefix=key_prefix)
