"""Time-limit rules: each race's tables are data (`race/timelimit/rulesets/*.toml`), applied by pure
code.

Races change their tables from one edition to the next, so the rules live in text files, one per
race (and year when it matters), parsed by `parse_rule_set`. Reading a file is the caller's job:
nothing here does I/O.

A rule file (TOML)::

    format = 1                       # schema version
    name = "Tour de France"
    source = "where the figures come from"   # optional
    [rounding]                       # optional; default: no rounding
    mode = "down"                    # "down" (truncate) | "nearest" (half up) | "up" | "none"
    unit_s = 1                       # 1: to the second; 60: to the minute
    applies_to = "margin"            # round the margin behind the winner, or the "limit" itself
    [coefficients.1]                 # a stage coefficient (Tour) or category (Giro): any key
    label = "flat stage"             # optional
    bands = [                        # ordered by speed; "v <= up_to_kmh" gets percent, the
      { up_to_kmh = 36, percent = 4 },   # next band starts strictly above that edge, and
      { percent = 12 },                  # the last band (no edge) is everything faster
    ]
    [coefficients.6]
    fixed_percent = 33               # instead of bands: one percentage, overridable per stage
    [assumed]                        # optional: the class assumed from the stage type when
    flat = "1"                       # neither the feed nor the configuration gives one
    mountain = "4"
"""

from __future__ import annotations

import math
import tomllib
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from race.models import StageType

FORMAT = 1
"""Version of the rule-file schema this module reads (the file's `format` key)."""

EDGE_TOLERANCE_KMH = 1e-6
"""A speed this close above a band edge still counts as "at" the edge.

A speed computed as distance / time can miss the decimal figure by ~1e-14 km/h (128.8 km in
2:48:00 is 46 km/h but comes out as 46.00000000000001, and must stay in the "<= 46" band). The
tolerance only absorbs that float noise: 1e-6 km/h is far below any published precision (3
decimals), so a real 36.001 km/h is still above 36. Rounding speeds to 2 decimals was rejected:
it would move 36.004 km/h into the "<= 36" band, which the regulations do not do.
"""

RoundingMode = Literal["down", "nearest", "up", "none"]

RoundingTarget = Literal["margin", "limit"]

_Number = Annotated[float, Field(strict=True)]
"""A TOML integer or float; strings and booleans are rejected rather than coerced."""
_Text = Annotated[str, Field(strict=True)]


class _RuleModel(BaseModel):
    """Rule files are hand-written: every model is immutable and rejects unknown keys (typos)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rounding(_RuleModel):
    """How the organiser rounds the computed limit."""

    mode: RoundingMode = "none"
    unit_s: _Number = Field(default=1.0, gt=0)
    """Rounding step in seconds: 1 (to the second) or 60 (to the minute)."""
    applies_to: RoundingTarget = "margin"
    """"limit" rounds the finishing time allowed (the Giro's "tempo massimo"); "margin" rounds the
    time behind the winner. Identical for a whole-second winner's time and a 1 s unit."""


class SpeedBand(_RuleModel):
    """One row of a table: winner's speed up to `up_to_kmh` (inclusive) gives `percent`."""

    up_to_kmh: _Number | None = Field(default=None, gt=0)
    """Upper edge, inclusive; None only on the last band, which covers every faster speed."""
    percent: _Number = Field(ge=0)


class StageClass(_RuleModel):
    """A stage coefficient or category: a speed table, or one fixed percentage (time trials)."""

    label: _Text = ""
    bands: tuple[SpeedBand, ...] | None = None
    fixed_percent: _Number | None = Field(default=None, ge=0)
    """Default percentage of a class without bands; the organiser sets the real one per stage."""

    @model_validator(mode="after")
    def _check_table(self) -> Self:
        if (self.bands is None) == (self.fixed_percent is None):
            raise ValueError("give either 'bands' or 'fixed_percent' (exactly one)")
        if self.bands is None:
            return self
        if not self.bands:
            raise ValueError("bands: at least one band is needed")
        last = len(self.bands) - 1
        previous: SpeedBand | None = None
        for i, band in enumerate(self.bands):
            if i < last and band.up_to_kmh is None:
                raise ValueError(
                    f"bands[{i}].up_to_kmh: missing; only the last band may be open-ended"
                )
            if i == last and band.up_to_kmh is not None:
                raise ValueError(
                    f"bands[{i}].up_to_kmh: the last band must have no edge "
                    "(it covers every speed above the previous one)"
                )
            if previous is not None:
                assert previous.up_to_kmh is not None  # checked on the previous iteration
                if band.up_to_kmh is not None and band.up_to_kmh <= previous.up_to_kmh:
                    raise ValueError(
                        f"bands[{i}].up_to_kmh: {band.up_to_kmh:g} must be greater than "
                        f"bands[{i - 1}].up_to_kmh ({previous.up_to_kmh:g})"
                    )
                if band.percent < previous.percent:
                    # Every known table gives a faster winner a larger margin; a drop is a typo.
                    raise ValueError(
                        f"bands[{i}].percent: {band.percent:g} is lower than "
                        f"bands[{i - 1}].percent ({previous.percent:g})"
                    )
            previous = band
        return self


class RuleSet(_RuleModel):
    """A race's time-limit rules, as read from one rule file."""

    format: Annotated[int, Field(strict=True)]
    """Schema version of the file."""
    name: _Text = Field(min_length=1)
    source: _Text = ""
    rounding: Rounding = Rounding()
    coefficients: dict[str, StageClass] = Field(min_length=1)
    """Keyed by coefficient ("1".."6") or category ("A".."E"), as the roadbook names them."""
    assumed: dict[StageType, _Text] = Field(default_factory=dict)
    """Class assumed from the stage type (flat, hilly, mountain, itt, ttt) when neither the
    feed nor the configuration gives one: a guess, always shown as such."""

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value != FORMAT:
            raise ValueError(f"unsupported format {value}; this version reads format {FORMAT}")
        return value

    @model_validator(mode="after")
    def _check_keys(self) -> Self:
        seen: dict[str, str] = {}
        for key in self.coefficients:
            folded = key.strip().casefold()
            if not folded or key != key.strip():
                raise ValueError(f"coefficients.{key!r}: empty or padded key")
            if folded in seen:
                # Lookups ignore case, so "d" and "D" would be ambiguous.
                raise ValueError(f"coefficients.{key}: same key as {seen[folded]!r} (case ignored)")
            seen[folded] = key
        for stage_type, key in self.assumed.items():
            if key.strip().casefold() not in seen:
                known = ", ".join(self.coefficients)
                raise ValueError(f"assumed.{stage_type}: unknown class {key!r} (known: {known})")
        return self


class CutResult(BaseModel):
    """The time limit of one stage, with what it was computed from."""

    model_config = ConfigDict(frozen=True)

    coefficient: str
    winner_time_s: float
    winner_speed_kmh: float
    base_percent: float
    """From the table (or the fixed percentage), before the organiser's extra points."""
    extra_points: float
    percent: float
    """Applied percentage: base_percent + extra_points."""
    cut_s: float
    """Time a rider may finish behind the winner (what the Tour publishes as the "délai")."""
    limit_s: float
    """Latest finishing time allowed: winner_time_s + cut_s."""


def parse_rule_set(text: str) -> RuleSet:
    """Parse a rule file's text; a bad file raises ValueError naming the offending key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"rule set: not valid TOML: {exc}") from exc
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_problem(err["loc"], err["msg"]) for err in exc.errors())
        raise ValueError(f"rule set: {problems}") from None


def _problem(loc: tuple[int | str, ...], msg: str) -> str:
    """One validation error as "dotted.key[index]: reason"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    reason = msg.removeprefix("Value error, ")
    return f"{path}: {reason}" if path else reason


def stage_class(rules: RuleSet, coefficient: int | str) -> StageClass:
    """The class for a roadbook coefficient: exact key first, then ignoring case ("d" is "D")."""
    key = str(coefficient).strip()
    found = rules.coefficients.get(key)
    if found is not None:
        return found
    for name, value in rules.coefficients.items():
        if name.casefold() == key.casefold():
            return value
    known = ", ".join(rules.coefficients)
    raise ValueError(f"{rules.name}: unknown coefficient {key!r} (known: {known})")


def assumed_class(rules: RuleSet, stage_type: StageType) -> str | None:
    """The class a rule set assumes for a stage type, or None when it says nothing."""
    return rules.assumed.get(stage_type)


def percent_for(
    rules: RuleSet,
    coefficient: int | str,
    winner_speed_kmh: float,
    *,
    fixed_percent: float | None = None,
) -> float:
    """Percentage of the winner's time given by the table, before any extra points.

    `fixed_percent` is the stage's figure for a class without bands (a time trial) and replaces
    the file's default there. A class with bands ignores it, so a value left over from a
    time-trial day cannot change a road stage's limit.
    """
    table = stage_class(rules, coefficient)
    if table.bands is None:
        percent = table.fixed_percent if fixed_percent is None else fixed_percent
        assert percent is not None  # a class has bands or a fixed percentage (validated)
        if not math.isfinite(percent) or percent < 0:
            raise ValueError(f"fixed_percent must be a finite percentage >= 0, not {percent!r}")
        return float(percent)
    if not math.isfinite(winner_speed_kmh) or winner_speed_kmh < 0:
        raise ValueError(f"winner_speed_kmh must be finite and >= 0, not {winner_speed_kmh!r}")
    for band in table.bands:
        if band.up_to_kmh is None or winner_speed_kmh <= band.up_to_kmh + EDGE_TOLERANCE_KMH:
            return float(band.percent)
    raise AssertionError("unreachable: the last band is open-ended (validated)")


def cut_seconds(
    rules: RuleSet, winner_time_s: float, percent: float, extra_points: float = 0.0
) -> float:
    """Time allowed behind the winner: winner's time x (percent + extra_points) %, rounded.

    Computed in decimal on the figures as written: in binary floating point 14 000 s x 1.13 -
    14 000 s is 1 819.999... s, which truncation would turn into 1 819 instead of 1 820.
    """
    if not math.isfinite(winner_time_s) or winner_time_s <= 0:
        raise ValueError(f"winner_time_s must be finite and > 0, not {winner_time_s!r}")
    total = percent + extra_points
    if not math.isfinite(total) or total < 0:
        raise ValueError(f"percent + extra_points must be finite and >= 0, not {total!r}")
    winner = _decimal(winner_time_s)
    margin = winner * (_decimal(percent) + _decimal(extra_points)) / 100
    rounding = rules.rounding
    if rounding.applies_to == "margin":
        margin = _round(margin, rounding)
    else:
        margin = _round(winner + margin, rounding) - winner
    return float(margin)


def winner_speed_kmh(distance_km: float, winner_time_s: float) -> float:
    """Average speed over the stage, as the tables use it."""
    if not math.isfinite(winner_time_s) or winner_time_s <= 0:
        raise ValueError(f"winner_time_s must be finite and > 0, not {winner_time_s!r}")
    if not math.isfinite(distance_km) or distance_km <= 0:
        raise ValueError(f"distance_km must be finite and > 0, not {distance_km!r}")
    return distance_km * 3600.0 / winner_time_s


def time_limit(
    rules: RuleSet,
    coefficient: int | str,
    winner_time_s: float,
    distance_km: float,
    *,
    extra_points: float = 0.0,
    fixed_percent: float | None = None,
) -> CutResult:
    """The whole computation for one stage: speed, percentage, cut and limit."""
    speed = winner_speed_kmh(distance_km, winner_time_s)
    base = percent_for(rules, coefficient, speed, fixed_percent=fixed_percent)
    cut = cut_seconds(rules, winner_time_s, base, extra_points)
    return CutResult(
        coefficient=str(coefficient),
        winner_time_s=winner_time_s,
        winner_speed_kmh=speed,
        base_percent=base,
        extra_points=extra_points,
        percent=base + extra_points,
        cut_s=cut,
        limit_s=winner_time_s + cut,
    )


def _decimal(value: float) -> Decimal:
    # repr() is the shortest string that round-trips, so 0.1 becomes Decimal("0.1"), not the
    # binary value 0.1000000000000000055...: the arithmetic happens on the intended figures.
    return Decimal(repr(float(value)))


_DECIMAL_ROUNDING = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "nearest": ROUND_HALF_UP}


def _round(value: Decimal, rounding: Rounding) -> Decimal:
    if rounding.mode == "none":
        return value
    unit = _decimal(rounding.unit_s)
    steps = (value / unit).to_integral_value(rounding=_DECIMAL_ROUNDING[rounding.mode])
    return steps * unit
