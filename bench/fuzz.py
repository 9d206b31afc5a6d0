"""Hostile frames through the real parsers and the engine: a long run, counted per mutation kind.

Three formats: the Race Center's live updates (the shared real recordings, stages 5 and 16,
one stream on each in turn), Ardoise's recordings (`feeds.format.jsonl` lines) and its served
feed (`feeds.format.wire` poll documents), both made from the simulated flat stage. Streams of
consecutive frames go through one engine each, about half of the frames damaged
(`tests.support.mutations`); see `tests.support.fuzzing` for the four outcomes. Prints, per
format and kind: frames damaged, texts accepted, rejected (counted), exceptions, hangs, the
slowest frame; then each distinct exception or hang (where, how many, the first input), and the
strings with control characters seen in rejection messages and in the situation.

    python bench/fuzz.py [--frames N] [--seed S] [--only FORMAT] [--save DIR]

Exit status 1 when anything raised or hung. Needs ../shared/data/racecenter for the Race
Center format (skipped without it).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.fuzzing import (  # noqa: E402
    JSONL,
    WIRE,
    Failure,
    Format,
    Report,
    racecenter_format,
    racecenter_stages,
    run_stream,
)

FORMATS = ("racecenter", "jsonl", "wire")
SHOWN = 8
"""Distinct exceptions shown per format, and strings with control characters."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=10_000, help="damaged frames per format")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--length", type=int, default=200, help="frames per stream (one engine)")
    parser.add_argument("--rate", type=float, default=0.5, help="share of frames damaged")
    parser.add_argument("--bound", type=float, default=5.0, help="seconds before a frame hangs")
    parser.add_argument("--only", choices=FORMATS, action="append")
    parser.add_argument("--save", type=Path, help="write each failing input to this folder")
    parser.add_argument("--memory-mb", type=int, default=3000, help="address space limit (0: none)")
    args = parser.parse_args(argv)
    if args.memory_mb:  # A frame that allocates without end is a MemoryError, not the OOM killer.
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    failed = False
    for name in args.only or FORMATS:
        formats = _formats(name)
        if not formats:
            print(f"{name}: skipped, no recording in ../shared/data/racecenter\n")
            continue
        began = time.perf_counter()
        report = Report()
        stream = 0
        while sum(t.mutated for k, t in report.tallies.items() if k != "clean") < args.frames:
            seed = args.seed * 1_000_003 + stream
            fmt = formats[stream % len(formats)]
            report.merge(
                run_stream(fmt, seed, length=args.length, rate=args.rate, bound_s=args.bound)
            )
            stream += 1
        print(f"{name}: {stream} streams, {time.perf_counter() - began:.0f} s")
        print(table(report))
        print(failures(report.failures, args.save))
        print(dirty(report))
        failed = failed or bool(report.failures)
    return 1 if failed else 0


def _formats(name: str) -> list[Format]:
    if name == "jsonl":
        return [JSONL]
    if name == "wire":
        return [WIRE]
    return [racecenter_format(path) for path in racecenter_stages()]


def table(report: Report) -> str:
    lines = [
        f"  {'kind':<15} {'damaged':>8} {'accepted':>9} {'rejected':>9} {'exception':>9} "
        f"{'hang':>5} {'slowest':>8}"
    ]
    kinds = sorted(report.tallies, key=lambda k: (k == "clean", k))
    total = [0, 0, 0, 0, 0]
    for kind in kinds:
        t = report.tallies[kind]
        lines.append(
            f"  {kind:<15} {t.mutated:>8} {t.accepted:>9} {t.rejected:>9} {t.exception:>9} "
            f"{t.hang:>5} {t.slowest_s * 1000:>6.1f}ms"
        )
        if kind != "clean":
            for i, n in enumerate((t.mutated, t.accepted, t.rejected, t.exception, t.hang)):
                total[i] += n
    lines.insert(
        len(lines) - (1 if "clean" in report.tallies else 0),
        f"  {'all damaged':<15} {total[0]:>8} {total[1]:>9} {total[2]:>9} {total[3]:>9} "
        f"{total[4]:>5}",
    )
    return "\n".join(lines)


def failures(found: list[Failure], save: Path | None) -> str:
    if not found:
        return "  no exception, no hang"
    groups = Counter((f.stage, f.error.split(":", 1)[0], f.where) for f in found)
    lines = [f"  {len(found)} exception(s) or hang(s), {len(groups)} distinct:"]
    for (stage, error, where), count in groups.most_common(SHOWN):
        first = next(
            f
            for f in found
            if (f.stage, f.error.split(":", 1)[0], f.where) == (stage, error, where)
        )
        lines += [
            f"  - {count} x {first.error[:160]}",
            f"      in {stage} at {where or '?'}",
            f"      via {first.traceback[:200]}",
            f"      input: {first.format}, {first.kind} {first.what[:120]}; "
            f"stream seed {first.stream_seed}, frame {first.frame}; {first.text[:160]!r}",
        ]
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            name = f"{first.format.replace(' ', '-')}-{first.stream_seed}-{first.frame}.json"
            (save / name).write_bytes(first.text)
            lines.append(f"      saved: {save / name}")
    return "\n".join(lines)


def dirty(report: Report) -> str:
    lines = [
        f"  control characters: {len(report.dirty_rejections)} distinct rejection message(s), "
        f"{len(report.dirty_situations)} distinct string(s) of the situation"
    ]
    for text in sorted(report.dirty_rejections)[:SHOWN]:
        lines.append(f"    rejection: {text[:140]!r}")
    for text in sorted(report.dirty_situations)[:SHOWN]:
        lines.append(f"    situation: {text[:140]!r}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
