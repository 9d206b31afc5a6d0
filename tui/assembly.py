"""From a validated configuration to working parts: the feed adapter, the rules, the engine."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from feeds.base import FeedAdapter, FeedError
from feeds.registry import UnknownAdapterError, adapter_class, check_installed, installed_adapters
from race.settings import EngineSettings
from race.timelimit.rules import RuleSet, parse_rule_set, stage_class
from tui.config import ConfigError, LoadedConfig, describe_validation_error
from tui.roles import load_roles

COMMON_FEED_KEYS = ("path", "speed")
"""`[feed]` keys handed to the adapter when its options declare them."""


def build_feed(
    loaded: LoadedConfig,
    *,
    speed: float | None = None,
    adapters: dict[str, EntryPoint] | None = None,
) -> FeedAdapter:
    """Instantiate the configured adapter with its validated options.

    `speed` overrides the replay speed for adapters that have one (0 for headless reading);
    `adapters` are the adapters to choose from (the installed ones unless given).
    """
    feed = loaded.config.feed
    found = installed_adapters() if adapters is None else adapters
    try:
        cls = adapter_class(feed.adapter, found)
    except UnknownAdapterError as error:
        raise ConfigError(loaded.origin("feed.adapter"), "feed.adapter", str(error)) from None
    for name in feed.options:
        if name != feed.adapter:
            try:
                check_installed(name, found)
            except UnknownAdapterError as error:
                raise ConfigError(
                    loaded.origin(f"feed.{name}"), f"feed.{name}", f"options for an {error}"
                ) from None
    raw: dict[str, Any] = dict(feed.options.get(feed.adapter, {}))
    fields = cls.Options.model_fields
    for key in COMMON_FEED_KEYS:
        value = getattr(feed, key)
        if value is not None and key in fields and key not in raw:
            raw[key] = value
    if isinstance(raw.get("path"), str | Path):
        section = (
            f"feed.{feed.adapter}.path"
            if "path" in feed.options.get(feed.adapter, {})
            else "feed.path"
        )
        raw["path"] = loaded.base_dir(section) / Path(raw["path"]).expanduser()
    try:
        options = cls.Options.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else ""
        explicit = key in feed.options.get(feed.adapter, {})
        prefix = f"feed.{feed.adapter}" if explicit or key not in COMMON_FEED_KEYS else "feed"
        problem = describe_validation_error(loaded, error, prefix, cls.Options)
        if problem.key == f"feed.{feed.adapter}" or (
            problem.key and problem.key not in loaded.origins
        ):
            problem = ConfigError(_options_origin(loaded), problem.key, problem.reason)
        raise problem from None
    if speed is not None and "speed" in fields:
        # After validation: the configured speed is checked even when a command overrides it.
        options = options.model_copy(update={"speed": speed})
    try:
        return cls(options)
    except FeedError as error:
        if error.option is not None:
            key = f"feed.{feed.adapter}.{error.option}"
            source = loaded.origins.get(key) or _options_origin(loaded)
            raise ConfigError(source, key, str(error)) from None
        key = "feed.path" if "path" in raw else f"feed.{feed.adapter}"
        raise ConfigError(loaded.origin(key), key, str(error)) from None


def _options_origin(loaded: LoadedConfig) -> str:
    """The file to name for a problem with the adapter's options as a whole, or a required one
    set nowhere: the last that set one of them, or else the one that chose the adapter."""
    section = f"feed.{loaded.config.feed.adapter}."
    setters = [source for key, source in loaded.origins.items() if key.startswith(section)]
    return setters[-1] if setters else loaded.origin("feed.adapter")


def load_rules(loaded: LoadedConfig) -> RuleSet:
    """The rule set named by `[stage] rules`: a packaged one ("tdf", "giro") or a file."""
    name = loaded.config.stage.rules
    packaged = files("race.timelimit") / "rulesets" / f"{name}.toml"
    try:
        if packaged.is_file():
            text = packaged.read_text(encoding="utf-8")
        else:
            path = loaded.base_dir("stage.rules") / Path(name).expanduser()
            text = path.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(
            loaded.origin("stage.rules"),
            "stage.rules",
            f"no rule set {name!r} (packaged: tdf, giro; or the path of a rules file)",
        ) from None
    try:
        return parse_rule_set(text)
    except ValueError as error:
        raise ConfigError(loaded.origin("stage.rules"), "stage.rules", str(error)) from None


def engine_settings(loaded: LoadedConfig) -> EngineSettings:
    """The engine's settings: the configuration's sections as they are, the rules and the roles
    file loaded."""
    config = loaded.config
    stage = config.stage
    rules = load_rules(loaded)
    coefficient = stage.class_in_force
    if coefficient is not None:
        key = "stage.category" if stage.category else "stage.coefficient"
        try:
            stage_class(rules, coefficient)
        except ValueError as error:
            raise ConfigError(loaded.origin(key), key, str(error)) from None
    return EngineSettings(
        stage=stage,
        team=config.team,
        gaps=config.gaps,
        time_limit=config.time_limit,
        leadout=config.leadout,
        rules=rules,
        roles=load_roles(loaded),
    )
