"""The bundled time-limit rule sets, parsed once per test process, and the clock times that
published results are written in.
"""

from __future__ import annotations

from pathlib import Path

import race
from race.timelimit.rules import RuleSet, parse_rule_set

RULESETS = Path(race.__file__).parent / "timelimit" / "rulesets"


def load(name: str) -> RuleSet:
    return parse_rule_set((RULESETS / f"{name}.toml").read_text(encoding="utf-8"))


TDF = load("tdf")
GIRO = load("giro")
ALL_RULES = (TDF, GIRO)


def hms(text: str) -> int:
    """ "4:25:27" or "34:30" -> seconds."""
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
