"""Wording shared by the engine's alerts, the screen, the text output and the simulator's news:
durations, signed gaps, ranks and lists of names, each written one way everywhere."""

from __future__ import annotations

from collections.abc import Sequence


def clock(seconds: float) -> str:
    """A duration as "m:ss", or "h:mm:ss" from an hour on (sign dropped)."""
    s = round(abs(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def signed_clock(seconds: float) -> str:
    """ "+1:05" or "−1:05" (a true minus sign, from the sign of the value as given: round it
    first where −0.3 s must read "+0:00")."""
    return ("−" if seconds < 0 else "+") + clock(seconds)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def name_list(names: Sequence[str], limit: int | None = None) -> str:
    """ "A. NAME, B. OTHER, C. THIRD +4": the first `limit` names (all when None), then how
    many more."""
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} +{len(names) - limit}"
