"""Wording shared by the engine's alerts, the screen, the text output and the simulator's news:
durations, signed gaps, ranks and lists of names, each written one way everywhere."""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence


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


def km(value: float) -> str:
    """A distance to the tenth, "0.9" for 0.852 km, written one way everywhere. The situation
    gives a group's km to 10 m (`race.gaps.tracker`) and the head's as measured: both are read
    to 10 m, then rounded half up, so that the head and its group say the same at one instant
    (0.852 and its 0.85 both read "0.9"; rounded to the tenth at once, 0.85 reads "0.8", its
    binary fraction being just below)."""
    return f"{math.floor(round(value, 2) * 10.0 + 0.5 + 1e-9) / 10.0:.1f}"


def counted(n: int, noun: str, plural: str = "") -> str:
    """ "1 rider", "0 riders", "12 riders": a count and its noun, plural unless one (`plural`
    when it is not the noun and an "s")."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 22nd..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def winner_said(name: str, *, doubt: str = "") -> str:
    """The race radio's line for the winner; when he is a guess, why (`Winner.doubt`)."""
    return f"{name} wins the stage" + (f" ({doubt})" if doubt else "")


def name_list(names: Sequence[str], limit: int | None = None) -> str:
    """ "A. NAME, B. OTHER, C. THIRD +4": the first `limit` names (all when None), then how
    many more."""
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} +{len(names) - limit}"


PARTICLES = frozenset({"van", "de", "der", "den", "du", "le", "la", "von"})
"""Words of a family name that cycling writes in lower case inside it ("Van der Poel", "Van
den Berg"); the name's first word keeps its capital ("De Lie", "Le Berre")."""


def folded(text: str) -> str:
    """Text as compared: without case, accents or spacing (a place or a word in any of the
    races' tongues, however the feed writes it)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def proper_name(name: str) -> str:
    """A name the feed writes in capitals, as cycling writes it: "VAN DER POEL" → "Van der
    Poel", "O'CONNOR" → "O'Connor", "MCNULTY" → "McNulty", "HEßMANN" → "Heßmann",
    "PARET-PEINTRE" → "Paret-Peintre". A name already in mixed case is the feed's own
    choice ("IJsselmuiden", "van Aert") and is kept as given."""
    if not _in_capitals(name):
        return name
    words = name.split(" ")
    out = []
    for index, word in enumerate(words):
        if index > 0 and word.lower() in PARTICLES:
            out.append(word.lower())
        else:
            out.append(_capitalised(word))
    return " ".join(out)


def _in_capitals(name: str) -> bool:
    # "ß" has no capital in common use: "HEßMANN" is still a name in capitals.
    return any(c.isupper() for c in name) and not any(c.islower() and c != "ß" for c in name)


def _capitalised(word: str) -> str:
    """One word: each part after a hyphen or an apostrophe starts with a capital."""
    out: list[str] = []
    start = True
    for char in word.lower():
        out.append(char.upper() if start and char.isalpha() else char)
        start = char in "-'’"
    text = "".join(out)
    if text.startswith("Mc") and len(text) > 2:
        text = "Mc" + text[2].upper() + text[3:]
    elif text.startswith("Ij"):
        text = "IJ" + text[2:]  # The Dutch digraph: "IJsselmuiden".
    return text


def distinct_names(names: Mapping[int, str]) -> dict[int, str]:
    """Names by bib, each with its bib where two of them read the same ("Vercruysse #63"):
    what is in view must tell its riders apart."""
    seen = Counter(name.casefold() for name in names.values())
    return {
        bib: f"{name} #{bib}" if seen[name.casefold()] > 1 else name for bib, name in names.items()
    }
