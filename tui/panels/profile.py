"""The stage profile: altitude over several rows, the categorised climbs named at their summits
and the intermediate sprints, the groups placed on the road by name, and km marks up to the
finish.

Rows, top to bottom: the climbs, the altitude, the groups, the km marks. Given a single row (or
too few for the marks), the altitude alone is drawn with the groups over it.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from race.models import Climb, Stage
from race.situation import Situation
from race.wording import proper_name
from tui.panels.lines import Line, Part, line

BLOCKS = "▁▂▃▄▅▆▇█"
MIN_WIDTH = 10
"""Narrower than this, the profile is not drawn."""
MIN_SPAN_M = 1500.0
"""The least altitude span the profile's height stands for: about a big pass above its valley.
A stage is drawn on at least this span, so that 150 m of rolling road stays a low line and only
real mountains fill the height (scaled to its own lowest and highest point, a flat stage would
look as hilly as the Alps)."""
ALTITUDE_STEP_M = 100.0
"""The profile's floor is the stage's lowest point rounded down to this."""
LABELLED_FROM_ROWS = 4
"""From this many rows the climbs, the groups' names and the km marks get rows of their own."""
KM_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
"""Candidate distances between two km marks; the smallest that leaves room between labels."""
KM_LABEL_ROOM = 10
"""Cells from one km mark to the next, at least."""

NAME_REACH = 2
"""A group's name starts or ends at most this many cells from its mark: further, it would
name the wrong group."""

ROAD_STYLE = "$foreground 45%"
HEAD_STYLE = "bold $accent"
MINE_STYLE = "bold $secondary"
GROUP_STYLE = "bold $primary"
CLIMB_STYLE = "$foreground"
SPRINT_STYLE = "$success"
AXIS_STYLE = "$text-muted"


@dataclass(frozen=True)
class Mark:
    """A group on the road."""

    km: float
    """Distance from the start."""
    name: str
    head: bool = False
    """The head of the race: its mark wins a shared cell."""
    mine: bool = False
    """Holds a rider of my team."""


def group_marks(situation: Situation, my_team: str | None = None) -> tuple[Mark, ...]:
    """The situation's groups, front first, placed by their distance from the start."""
    stage = situation.stage
    if stage is None:
        return ()
    riders = situation.roster.riders
    return tuple(
        Mark(
            km=stage.distance_km - g.km_to_finish,
            name=g.name,
            head=i == 0,
            mine=my_team is not None
            and any(b in riders and riders[b].team == my_team for b in g.riders),
        )
        for i, g in enumerate(situation.groups)
    )


@dataclass(frozen=True)
class Road:
    """What of the profile does not move with the groups, at one size: the altitude's rows
    (block characters, top row first), and when the profile is labelled, the climbs' and the
    km marks' rows."""

    altitude: tuple[tuple[str, ...], ...]
    climbs: Line | None
    km: Line | None


def road(stage: Stage | None, width: int, rows: int = 1) -> Road | None:
    """The profile's road across `width` cells in `rows` rows (None when there is no
    profile, or no room for one)."""
    if stage is None or len(stage.profile) < 2 or width < MIN_WIDTH or rows < 1:
        return None
    labelled = rows >= LABELLED_FROM_ROWS
    altitude_rows = rows - 3 if labelled else rows
    levels = _altitude_levels(stage, width, altitude_rows)
    return Road(
        tuple(tuple(cells) for cells in _altitude_rows(levels, altitude_rows)),
        climbs_line(stage, width) if labelled else None,
        km_line(stage, width) if labelled else None,
    )


def profile_lines(
    stage: Stage | None,
    marks: Sequence[Mark],
    width: int,
    rows: int = 1,
    *,
    drawn: Road | None = None,
) -> list[Line]:
    """The profile across `width` cells in `rows` rows (nothing when there is no profile, or
    no room for one); `drawn`: its `road` at this size, when it is kept."""
    the_road = drawn if drawn is not None else road(stage, width, rows)
    if stage is None or the_road is None:
        return []
    *upper, bottom = the_road.altitude
    lines = [
        *[_plain_row(list(cells)) for cells in upper],
        _marks_over(list(bottom), stage, marks, width),
    ]
    if the_road.climbs is None or the_road.km is None:
        return lines
    return [the_road.climbs, *lines, groups_line(stage, marks, width), the_road.km]


def _column_km(stage: Stage, width: int, x: float) -> float:
    return x * stage.distance_km / width


def column(stage: Stage, width: int, km: float) -> int:
    """The cell of the profile `width` cells wide where the road is `km` from the start."""
    return min(width - 1, max(0, int(km / stage.distance_km * width))) if stage.distance_km else 0


def _altitude_levels(stage: Stage, width: int, rows: int) -> list[int]:
    """Each column's height in eighths of a row: the highest point of its stretch of road (a
    summit narrower than a column is not lost), at least one eighth (the road is drawn)."""
    kms = [p.km for p in stage.profile]
    alts = [p.altitude_m for p in stage.profile]
    floor = math.floor(min(alts) / ALTITUDE_STEP_M) * ALTITUDE_STEP_M
    span = max(max(alts) - floor, MIN_SPAN_M)
    eighths = rows * 8
    levels: list[int] = []
    for x in range(width):
        start, end = _column_km(stage, width, x), _column_km(stage, width, x + 1)
        inside = alts[bisect_left(kms, start) : bisect_right(kms, end)]
        if inside:
            altitude = max(inside)
        else:  # Fewer points than columns: the nearest point ahead.
            altitude = alts[min(bisect_left(kms, (start + end) / 2), len(alts) - 1)]
        levels.append(max(1, min(eighths, round((altitude - floor) / span * eighths))))
    return levels


def _altitude_rows(levels: list[int], rows: int) -> list[list[str]]:
    """Block characters, top row first."""
    out: list[list[str]] = []
    for row in range(rows):
        below = (rows - 1 - row) * 8
        out.append(
            [BLOCKS[min(8, level - below) - 1] if level > below else " " for level in levels]
        )
    return out


def _plain_row(cells: list[str]) -> Line:
    return line(("".join(cells), ROAD_STYLE))


def _marks_over(cells: list[str], stage: Stage, marks: Sequence[Mark], width: int) -> Line:
    """The altitude's bottom row with ◆ for the head of the race and ● for the other groups."""
    styles: dict[int, str] = {}
    cells = list(cells)
    for mark in marks:
        x = column(stage, width, mark.km)
        if mark.head or x not in styles:
            cells[x] = _symbol(mark)
            styles[x] = _mark_style(mark)
    return line(*[(cell, styles.get(x, ROAD_STYLE)) for x, cell in enumerate(cells)])


def _mark_style(mark: Mark) -> str:
    return HEAD_STYLE if mark.head else MINE_STYLE if mark.mine else GROUP_STYLE


class _Row:
    """One row of labels that never overlap nor touch, each as near its column as it fits."""

    def __init__(self, width: int) -> None:
        self.cells: list[Part | None] = [None] * width

    def free(self, start: int, length: int) -> bool:
        end = start + length
        if start < 0 or end > len(self.cells):
            return False
        lo, hi = max(0, start - 1), min(len(self.cells), end + 1)
        return all(cell is None for cell in self.cells[lo:hi])

    def put(self, start: int, text: str, style: str) -> None:
        for i, character in enumerate(text):
            self.cells[start + i] = (character, style)

    def clear(self, start: int, length: int) -> None:
        self.cells[start : start + length] = [None] * length

    def place(
        self, x: int, text: str, style: str, reach: int = 0, *, before: str = ""
    ) -> int | None:
        """Put `text` starting at column `x`, or `before` (default: `text`) ending there, or
        either at most `reach` cells further; return where it starts, or None when it does
        not fit."""
        before = before or text
        for shift in range(reach + 1):
            for start, chosen in ((x + shift, text), (x - len(before) + 1 - shift, before)):
                if self.free(start, len(chosen)):
                    self.put(start, chosen, style)
                    return start
        return None

    def line(self) -> Line:
        """The row, a part per run of one style (fewer segments to draw)."""
        parts: list[Part] = []
        for cell in self.cells:
            text, style = cell if isinstance(cell, tuple) else (" ", "")
            last = parts[-1] if parts else None
            if isinstance(last, tuple) and last[1] == style:
                parts[-1] = (last[0] + text, style)
            elif last is not None and not isinstance(last, tuple) and not style:
                parts[-1] = last + text
            else:
                parts.append((text, style) if style else text)
        return line(*parts)


@dataclass(frozen=True)
class _Label:
    x: int
    texts: tuple[tuple[str, str], ...]
    """(after the column, ending at it) pairs, longest first; the last is the least that must
    be said."""
    style: str


def _place_labels(width: int, labels: Sequence[_Label], reach: int = 0) -> Line:
    """Every label's shortest text first (in the order given: the first wins a crowded
    stretch), then each made as long as the room around it allows."""
    row = _Row(width)
    placed: list[tuple[_Label, int]] = []
    for label in labels:
        after, before = label.texts[-1]
        start = row.place(label.x, after, label.style, reach, before=before)
        if start is not None:
            placed.append((label, start))
    for label, start in placed:
        shortest = label.texts[-1]
        kept = row.cells[start : start + len(shortest[0])]
        row.clear(start, len(shortest[0]))
        for after, before in label.texts[:-1]:
            if row.place(label.x, after, label.style, reach, before=before) is not None:
                break
        else:
            row.cells[start : start + len(kept)] = kept
    return row.line()


def climb_category(climb: Climb) -> str:
    """ "HC", "cat. 1"... or "" when the feed gives none."""
    category = (climb.category or "").strip()
    if not category:
        return ""
    return category if not category.isdigit() else f"cat. {category}"


def short_climb_name(name: str) -> str:
    """The climb's last word, without an elided article: "Col de la Hourquette d'Ardoise" →
    "Ardoise", "Côte de Berdets" → "Berdets" (what fits where the whole name does not)."""
    words = name.split()
    if not words:
        return name
    last = words[-1]
    for elision in ("d'", "l'", "d’", "l’"):
        if last.lower().startswith(elision) and len(last) > len(elision):
            return last[len(elision) :]
    return last


def _hardness(climb: Climb) -> tuple[int, float]:
    category = (climb.category or "").strip().upper()
    return (0 if category == "HC" else int(category) if category.isdigit() else 9), climb.summit_km


def climbs_line(stage: Stage, width: int) -> Line:
    """Each categorised climb at its summit (▾): its name and category where they fit, else its
    category alone, else the mark; the hardest first where they crowd; then each intermediate
    sprint ("Sprint Vic-en-Bigorre", "Sprint", "S")."""
    labels: list[_Label] = []
    for climb in sorted(stage.climbs, key=_hardness):
        category = climb_category(climb)
        named = f"{climb.name} ({category})" if category else climb.name
        texts = [(f"▾{named}", f"{named}▾")]
        short = f"{short_climb_name(climb.name)} {category}".strip()
        if short != named:
            texts.append((f"▾{short}", f"{short}▾"))
        if category:
            texts.append((f"▾{category}", f"{category}▾"))
        texts.append(("▾", "▾"))
        labels.append(_Label(column(stage, width, climb.summit_km), tuple(texts), CLIMB_STYLE))
    for sprint in stage.sprints:  # After the climbs: where they crowd, the climbs are named.
        name = f"Sprint {proper_name(sprint.name)}"
        texts = [(f"▾{name}", f"{name}▾"), ("▾Sprint", "Sprint▾"), ("▾S", "S▾")]
        labels.append(_Label(column(stage, width, sprint.km), tuple(texts), SPRINT_STYLE))
    return _place_labels(width, labels)


def groups_line(stage: Stage, marks: Sequence[Mark], width: int) -> Line:
    """Each group's name under its place on the road (marked on the row above) where it fits
    within a few cells of it: the head of the race first, then my team's groups, then front
    to back. A group whose name does not fit keeps its mark on the road."""
    order = sorted(range(len(marks)), key=lambda i: (not marks[i].head, not marks[i].mine, i))
    labels = [
        _Label(
            column(stage, width, marks[i].km),
            ((marks[i].name, marks[i].name),),
            _mark_style(marks[i]),
        )
        for i in order
    ]
    return _place_labels(width, labels, reach=NAME_REACH)


def _symbol(mark: Mark) -> str:
    return "◆" if mark.head else "●"


def km_line(stage: Stage, width: int) -> Line:
    """Km from the start every few columns, and the finish at the right edge."""
    finish = f"finish {stage.distance_km:.0f} km"
    step = next(
        (s for s in KM_STEPS if s / stage.distance_km * width >= KM_LABEL_ROOM),
        KM_STEPS[-1],
    )
    row = _Row(width)
    row.put(width - len(finish), finish, f"bold {AXIS_STYLE}")
    km = 0.0
    while km < stage.distance_km:
        x = column(stage, width, km)
        text = f"{km:.0f}"
        if row.free(x, len(text) + 1):
            row.put(x, f"╵{text}" if km else text, AXIS_STYLE)
        km += step
    return row.line()
