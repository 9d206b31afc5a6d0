"""The gap chart's rows (no Textual here): each group's gap to the head of the race over the
head's road, drawn in braille dots (2x4 per cell), 0 at the top (the head), the catches marked
✕ and, on a day the time limit matters, the projected cut as a dotted line.

Drawn here rather than with textual-plotext, after putting both side by side on the mountain
stage at 80x24 and 160x48 in both themes: plotext's colours are its own two themes (dark and
light), not Ardoise's variables, so a group is not the colour the panels give its role and its
default cut line nearly vanishes on the slate; its gap axis reads in decimal minutes, negated to
put the head on top ("-7.0"); its legend covers the plot; catches need drawing by hand; and its
import costs ~200 ms. Here the colours are the theme's variables (both themes and the snapshots
follow them), the rows plain text (deterministic), and nothing more is imported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from race.situation import GroupKind
from race.story import GapLine, GapStory
from race.wording import clock
from tui.panels.lines import Line, Part, line

ROLE_STYLES: dict[GroupKind, str] = {
    "head": "bold $accent",
    "peloton": "bold $primary",
    "leader": "bold $success",
}
"""The colours of the groups the race is told by; the others take `OTHER_STYLES` in turn."""
OTHER_STYLES = (
    "$secondary",
    "$foreground",
    "$success 60%",
    "$primary 60%",
    "$accent 60%",
    "$foreground 60%",
)
"""Chases, groups and grupetti, front to back at their last sample: never `$error` (the cut's)
nor `$warning` (the dark theme's is its accent, the head's)."""
CUT_STYLE = "$error"
CATCH_STYLE = "bold $foreground"
AXIS_STYLE = "$text-muted"
CATCH_MARK = "✕"
MIN_POINTS = 3
"""A group is drawn once it has been sampled this often (a km of road): a group that lived a
few frames at the split threshold is noise on the chart."""
Y_AXIS_COLUMNS = 7
"""Room for the gap labels, e.g. "+25:00 " and the axis."""
GAP_STEPS_S = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
KM_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
BRAILLE_BASE = 0x2800
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""The braille dot of (row 0-3, column 0-1) inside one cell."""


@dataclass(frozen=True)
class Series:
    """One line of the chart with its legend label (unique on the chart) and colour."""

    label: str
    style: str
    points: tuple[tuple[float, float], ...]


def chart_series(story: GapStory) -> list[Series]:
    """The lines worth drawing, head last (drawn on top), each labelled with its name and, where
    two share a name over the stage, its last gap."""
    lines = [gl for gl in story.lines if len(gl.points) >= MIN_POINTS]
    lines.sort(key=lambda gl: (gl.kind == "head", -gl.points[-1][1]))
    names = [gl.name for gl in lines]
    others = [gl.id for gl in sorted(lines, key=lambda gl: gl.points[-1][1])]
    others = [gid for gid in others if _role(lines, gid) not in ROLE_STYLES]
    return [
        Series(
            _label(gl, names),
            ROLE_STYLES.get(gl.kind) or OTHER_STYLES[others.index(gl.id) % len(OTHER_STYLES)],
            gl.points,
        )
        for gl in lines
    ]


def _role(lines: Sequence[GapLine], gid: str) -> GroupKind:
    return next(gl.kind for gl in lines if gl.id == gid)


def _label(gl: GapLine, names: Sequence[str]) -> str:
    if names.count(gl.name) == 1 or gl.kind == "head":
        return gl.name
    return f"{gl.name} +{clock(gl.points[-1][1])}"


def _step(span: float, cells: int, steps: Sequence[float]) -> float:
    """The smallest step of `steps` that puts at most one label every `cells` of `span`."""
    return next((s for s in steps if span / s <= cells), steps[-1])


class _Canvas:
    """Cells of braille dots, each with the style of the last series drawn through it, and
    text written over them."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.dots = [[0] * width for _ in range(height)]
        self.styles: list[list[str]] = [[""] * width for _ in range(height)]
        self.text: dict[tuple[int, int], tuple[str, str]] = {}

    def dot(self, x: int, y: int, style: str) -> None:
        col, row = x // 2, y // 4
        if 0 <= col < self.width and 0 <= row < self.height:
            self.dots[row][col] |= DOT_BITS[y % 4][x % 2]
            self.styles[row][col] = style

    def segment(self, x0: int, y0: int, x1: int, y1: int, style: str, every: int = 1) -> None:
        """Bresenham's line in dot space; `every` > 1 draws a dotted line."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err, n = dx + dy, 0
        while True:
            if n % every == 0:
                self.dot(x0, y0, style)
            n += 1
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def row(self, r: int) -> list[Part]:
        parts: list[Part] = []
        for c in range(self.width):
            text, style = self.text.get((r, c), ("", ""))
            if not text:
                bits = self.dots[r][c]
                text, style = (chr(BRAILLE_BASE + bits), self.styles[r][c]) if bits else (" ", "")
            last = parts[-1] if parts else None
            if isinstance(last, tuple) and last[1] == style:
                parts[-1] = (last[0] + text, style)
            else:
                parts.append((text, style) if style else (text, ""))
        return parts


def gap_chart(story: GapStory, width: int, height: int) -> list[Line]:
    """The chart in `width` x `height` cells: the plot with its gap axis, the km axis, then the
    legend (as many rows as it takes, at most a third of the height)."""
    series = chart_series(story)
    distance = story.distance_km
    if distance is None or distance <= 0 or not series or width < 30 or height < 6:
        return [line(("No gaps to chart yet: the race has not started on the road.", AXIS_STYLE))]
    legend = _legend(series, bool(story.cut), bool(story.catches), width)
    legend = legend[: max(1, height // 3)]
    plot_h = height - 1 - len(legend)
    plot_w = width - Y_AXIS_COLUMNS
    gaps = [g for s in series for _, g in s.points] + [g for _, g in story.cut]
    top = max(max(gaps, default=0.0), 10.0)
    step = _step(top, max(1, plot_h // 2), GAP_STEPS_S)
    top = math.ceil(top / step) * step
    canvas = _Canvas(plot_w, plot_h)
    dots_w, dots_h = plot_w * 2 - 1, plot_h * 4 - 1

    def at(km: float, gap_s: float) -> tuple[int, int]:
        x = round(min(max(km / distance, 0.0), 1.0) * dots_w)
        y = round(min(max(gap_s / top, 0.0), 1.0) * dots_h)
        return x, y

    if story.cut:
        _polyline(canvas, [at(km, g) for km, g in story.cut], CUT_STYLE, every=2)
    for s in series:
        _polyline(canvas, [at(km, g) for km, g in s.points], s.style)
    for catch in story.catches:
        x, y = at(catch.km, catch.gap_s)
        canvas.text[(y // 4, x // 2)] = (CATCH_MARK, CATCH_STYLE)
    labels = _gap_labels(top, step, plot_h)
    rows = [
        line(
            (
                labels[r].rjust(Y_AXIS_COLUMNS - 1) + "┤" if r in labels else " " * 6 + "│",
                AXIS_STYLE,
            ),
            *canvas.row(r),
        )
        for r in range(plot_h)
    ]
    rows.append(line((_km_axis(distance, plot_w), AXIS_STYLE)))
    return rows + legend


def _polyline(canvas: _Canvas, points: list[tuple[int, int]], style: str, every: int = 1) -> None:
    if len(points) == 1:
        canvas.dot(*points[0], style)
    for (x0, y0), (x1, y1) in pairwise(points):
        canvas.segment(x0, y0, x1, y1, style, every)


def _gap_labels(top: float, step: float, plot_h: int) -> dict[int, str]:
    """The row of each gap label: "0:00" on the top row, then every `step` down."""
    labels: dict[int, str] = {}
    value = 0.0
    while value <= top:
        r = min(plot_h - 1, round(value / top * (plot_h - 1)))
        if r not in labels:
            labels[r] = ("+" if value else "") + clock(value)
        value += step
    return labels


def _km_axis(distance: float, plot_w: int) -> str:
    """ "km 0 ... 50 ... 100" under the plot, each label at its column."""
    cells = [" "] * (Y_AXIS_COLUMNS + plot_w)
    step = _step(distance, max(1, plot_w // 8), KM_STEPS)
    km = 0.0
    while km <= distance:
        text = f"{km:g}"
        col = Y_AXIS_COLUMNS + round(km / distance * (plot_w - 1))
        start = min(col, len(cells) - len(text))
        if all(c == " " for c in cells[max(0, start - 1) : start + len(text)]):
            cells[start : start + len(text)] = text
        km += step
    cells[:3] = "km "
    return "".join(cells).rstrip()


def _legend(series: list[Series], cut: bool, catches: bool, width: int) -> list[Line]:
    """The legend's rows: "━ name" per line in its colour, then the cut and the catch marks."""
    front_first = sorted(series, key=lambda s: s.points[-1][1])
    front_first.sort(key=lambda s: s.style != ROLE_STYLES["head"])
    entries: list[tuple[Part, Part]] = []
    for s in front_first:
        entry: tuple[Part, Part] = (("━ ", s.style), (s.label, s.style))
        if entry not in entries:  # The head of the race, one line per head it had.
            entries.append(entry)
    if cut:
        entries.append((("┄ ", CUT_STYLE), ("time-limit cut (projected)", CUT_STYLE)))
    if catches:
        entries.append(((f"{CATCH_MARK} ", CATCH_STYLE), ("caught", AXIS_STYLE)))
    rows: list[Line] = []
    current: list[Part] = []
    used = 0
    for mark, label in entries:
        size = len(mark[0]) + len(label[0]) + 2
        if current and used + size > width:
            rows.append(line(*current))
            current, used = [], 0
        current += [mark, label, "  "]
        used += size
    if current:
        rows.append(line(*current))
    return rows
