"""The engine against the quirks of real feeds, on the Pau recording (stage 5 of 2026).

Replays the recording untouched, then through each named transformation of
`tests.support.robustness` (a pre-start stretch, ghost fixes, holes, NaN and infinities, a
shifted day, a relay into the next stage...), and prints one row per transformation:

- share: group-frames from the real start to the winner's finish whose gap is within 5 s of the
  feed's own gap (`secToFirstRider`) of the group's first rider; frames: how many were measured,
  and against the untouched run;
- the winner (same bib as untouched, or his bib; `?` when the engine names him as a guess),
  his race time and his finish instant against the untouched run (shifted days undone); the
  time-limit percentage and cut against it;
- frames the engine dropped as out of order; story+: break, catch and time-limit alerts the
  untouched run did not raise; the replay's time, and the exception if any.

    python bench/robustness.py [--only NAME ...] [--histogram]

NAME may be a shell pattern (`--only 'nan-*'`). Needs ../shared/data/racecenter.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.robustness import (  # noqa: E402
    CLIP_S,
    MATCH_S,
    TRANSFORMATIONS,
    Comparison,
    compare,
)
from tests.support.stages import STAGE_5  # noqa: E402

HEADER = (
    f"{'transformation':<24} {'share':>6} {'frames':>11} {'winner':>7} {'Δtime':>8} "
    f"{'Δfinish':>9} {'limit %':>9} {'Δcut':>7} {'dropped':>7} {'story+':>6} {'s':>5}  error"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="transformation(s)")
    parser.add_argument("--histogram", action="store_true", help="print each histogram")
    args = parser.parse_args(argv)
    if not STAGE_5.exists():
        print(f"no recording at {STAGE_5}", file=sys.stderr)
        return 2
    names = list(TRANSFORMATIONS)
    if args.only:
        names = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in args.only)]
        if not names:
            print(f"no transformation named {args.only}; known: {', '.join(TRANSFORMATIONS)}")
            return 2
    print(f"gap within {MATCH_S:g} s of the feed's; deltas against the untouched recording")
    print(HEADER)
    for name in names:
        comparison = compare(name)
        print(row(comparison))
        if args.histogram:
            print(histogram(comparison))
    return 0


def row(c: Comparison) -> str:
    m = c.measure
    share = f"{m.share:.1%}" if m.share is not None else "?"
    coverage = f"{c.coverage:.0%}" if c.coverage is not None else "?"
    winner = "same" if c.same_winner else (f"#{m.winner}" if m.winner is not None else "none")
    if m.winner is not None and not m.winner_sure:
        winner += "?"
    limit = "?"
    if m.limit_percent is not None:
        limit = f"{m.limit_percent:.0f}{_signed(c.percent_delta, '.0f', ' (', ')')}"
    return (
        f"{m.name:<24} {share:>6} {m.group_frames:>5} {coverage:>5} {winner:>7} "
        f"{_signed(c.winner_delta_s, '.0f'):>8} {_signed(c.finish_delta_s, '.0f'):>9} "
        f"{limit:>9} {_signed(c.cut_delta_s, '.0f'):>7} {m.frames_dropped:>7} "
        f"{sum(c.story_alerts_added.values()):>6} {m.seconds:>5.1f}  {m.error or ''}"
    )


def histogram(c: Comparison) -> str:
    counts = c.measure.histogram
    if not counts:
        return "    (no group-frame measured)"
    lines = [f"    ours − feed (s, clipped at ±{CLIP_S}): count"]
    lines += [f"    {delta:+3d}: {counts[delta]}" for delta in sorted(counts)]
    if c.measure.gapless:
        lines.append(f"    no gap: {c.measure.gapless}")
    return "\n".join(lines)


def _signed(value: float | None, spec: str, before: str = "", after: str = "") -> str:
    return "?" if value is None else f"{before}{format(value, '+' + spec)}{after}"


if __name__ == "__main__":
    sys.exit(main())
