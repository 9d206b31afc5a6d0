"""Configuration: the embedded `config.toml`, a user file, and `ARDOISE_...` environment variables.

Layers, later ones winning key by key: the embedded default (the root `config.toml`), the user's
file (`--config PATH`, or else `$XDG_CONFIG_HOME/ardoise/config.toml` when it exists), then the
environment (`ARDOISE_FEED__SPEED=0`, `ARDOISE_TEAM__CODE=UAD`; `__` separates levels; see
`tui.environment`). Every file is validated on its own first, so an error names the file it is in;
every model forbids unknown keys; `[keymap]` is checked against the app's bindings and Textual's
key names. A bad configuration raises `ConfigError`, which the CLI prints as one line; an unknown
`ARDOISE_` variable is only a warning.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from race.gaps.settings import GapsSettings
from race.leadout.settings import LeadoutSettings
from race.settings import TRAIN_TWICE, StageSettings, TeamSettings
from race.situation import Roster
from race.timelimit.settings import TimeLimitSettings
from tui.environment import (
    MAX_NESTING,
    BadVariable,
    nesting_error,
    read_variable,
    setting_variables,
    unknown_variables,
)
from tui.keymap import normalise_keymap


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


class RidersConfig(Section):
    roles: Path | None = None
    """The roles file (`tui.roles`): each team's sprinter and lead-out men, any rider's role;
    relative to the file that sets it."""
    marks_folder: Path | None = None
    """Where the marks made during the race are kept, per race (`tui.marks`); relative to the
    file that sets it. None: the user's state folder."""


class DisplayConfig(Section):
    theme: Literal["ardoise", "sunlight"] = "ardoise"
    """"sunlight": high contrast, for a laptop in the team car."""


class ArdoiseConfig(Section):
    """The whole configuration. The analysis' sections are the engine's own settings models
    (`race.settings`), so each default and each check is written once, where it is used."""

    feed: FeedConfig = FeedConfig()
    stage: StageSettings = StageSettings()
    gaps: GapsSettings = GapsSettings()
    team: TeamSettings = TeamSettings()
    time_limit: TimeLimitSettings = TimeLimitSettings()
    leadout: LeadoutSettings = LeadoutSettings()
    riders: RidersConfig = RidersConfig()
    display: DisplayConfig = DisplayConfig()
    keymap: dict[str, str] = Field(default_factory=dict)
    """Rebind keys: binding id = keys, comma-separated, e.g. `pause = "space"` (`tui.keymap`)."""


class LoadedConfig(BaseModel):
    """A validated configuration and where each of its keys came from."""

    model_config = ConfigDict(frozen=True)

    config: ArdoiseConfig
    origins: dict[str, str]
    """Dotted key → the file (or environment variable) that set it last."""
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()
    """Problems that do not stop Ardoise (an unknown `ARDOISE_` variable), one line each."""

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


_DOTTED_KEY = re.compile(r"^[ \t]*\[*((?:[^=\]\n\"']|\"[^\"\n]*\"|'[^'\n]*')*)", re.MULTILINE)
"""The key (or table header) at the start of each line, quoted parts kept whole."""

_DOTS_BEFORE_PARSING = 10 * MAX_NESTING
"""tomllib takes time quadratic in a dotted key's length (20 s for 100,000 parts): keys this
long are refused before parsing. Shorter ones, and nested arrays, are checked after."""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except OSError as error:
        raise ConfigError(str(path), None, f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, "not UTF-8 text") from None
    for match in _DOTTED_KEY.finditer(text):
        unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "", match.group(1))
        if unquoted.count(".") > _DOTS_BEFORE_PARSING:
            key = ".".join(part.strip() for part in match.group(1).split(".")[:3]) + "..."
            raise ConfigError(str(path), key, f"nested deeper than {MAX_NESTING} levels")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), None, f"invalid TOML: {error}") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise ConfigError(str(path), None, "invalid TOML: nested too deep") from None
    too_deep = nesting_error(data)
    if too_deep:
        raise ConfigError(str(path), *too_deep)
    return data


def load_config(
    path: Path | None = None, *, expected_variables: Collection[str] = ()
) -> LoadedConfig:
    """Load and validate the configuration layers; raise `ConfigError` on the first problem.

    `expected_variables`: `ARDOISE_` variables that are not settings but are used (a token
    named by `--token-env`); they are not reported as unknown.
    """
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
    environ = dict(os.environ)
    for name in setting_variables(environ):
        try:
            setting = read_variable(name, environ[name], ArdoiseConfig)
        except BadVariable as error:
            raise ConfigError(f"environment variable {name}", error.key, error.reason) from None
        if setting is not None:
            parts, value = setting
            nested: dict[str, Any] = {parts[-1]: value}
            for part in reversed(parts[:-1]):
                nested = {part: nested}
            _merge(merged, nested, origins, f"environment variable {name}", ())
    try:
        config = ArdoiseConfig.model_validate(merged)
    except ValidationError as error:
        raise _config_error(None, error, ArdoiseConfig, origins) from None
    if config.team.train is not None and any(
        train.team == config.team.code for train in config.leadout.trains
    ):
        raise ConfigError(
            _origin_of(origins, "team.sprinter") or "configuration", "team.sprinter", TRAIN_TWICE
        )
    keymap, problem = normalise_keymap(config.keymap)
    if problem:
        key = f"keymap.{problem[0]}"
        raise ConfigError(_origin_of(origins, key) or "configuration", key, problem[1])
    expected = [*expected_variables, *_token_variables(config)]
    unknown = unknown_variables(environ, ArdoiseConfig, expected)
    if config.team.code is not None:
        # Every feed Ardoise reads writes team codes in capitals: "cdc" means "CDC".
        team = config.team.model_copy(update={"code": config.team.code.strip().upper() or None})
        config = config.model_copy(update={"team": team})
    return LoadedConfig(
        config=config.model_copy(update={"keymap": keymap}),
        origins=origins,
        files=tuple(files),
        warnings=tuple(f"ignoring unknown environment variable {name}" for name in unknown),
    )


def team_code_problem(code: str | None, roster: Roster) -> str | None:
    """One line saying that `[team] code` is none of the race's teams, listing their codes;
    None when it is one (in any case), or not set, or the race's teams are not known yet."""
    if code is None or not roster.teams:
        return None
    if code.casefold() in {team.casefold() for team in roster.teams}:
        return None
    codes = ", ".join(sorted(roster.teams))
    return f"[team] code {code!r} is not a team of this race: {codes}"


def _token_variables(config: ArdoiseConfig) -> list[str]:
    """Variables named by the feeds' `token_env` options: they hold tokens, not settings."""
    return [
        options["token_env"]
        for options in config.feed.options.values()
        if isinstance(options.get("token_env"), str)
    ]


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
    reason = first["msg"].removeprefix("Value error, ")
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


def file_error(source: str, error: ValidationError, model: type[BaseModel]) -> ConfigError:
    """A `ConfigError` for a file of its own (not a layer of the configuration) validated
    against `model`: the file, the first bad key, why."""
    return _config_error(source, error, model)


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
