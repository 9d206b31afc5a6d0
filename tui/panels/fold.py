"""Rows by priority: which lines of a panel stay when it is short of rows, and how the screen's
rows are shared between the panels (the most important rows first, the race radio the rest).

No Textual here: the race screen measures, these functions decide.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from tui.panels.lines import MUST_SEE, Line, line

MORE_KEY = "m"
"""The default key of the binding that shows every row (`more` in `[keymap]`)."""


def fold(lines: Sequence[Line], rows: int, key: str = MORE_KEY) -> list[Line]:
    """At most `rows` of `lines`, in their order: when they do not all fit, the least
    important (highest priority number, the lower first) give way to a "+N more" line naming
    `key`, the key that shows them."""
    if len(lines) <= rows:
        return list(lines)
    if rows <= 0:
        return []
    by_importance = sorted(range(len(lines)), key=lambda i: (lines[i].priority, i))
    kept = sorted(by_importance[: rows - 1])
    hidden = len(lines) - len(kept)
    more = line(f"+{hidden} more · {key} shows every row", classes={"-more"}, priority=MUST_SEE)
    return [*(lines[i] for i in kept), more]


def least_rows(lines: Sequence[Line]) -> int:
    """The rows `lines` need so that every must-see line is on screen (and the "+N more"
    line when others fold)."""
    must = sum(1 for ln in lines if ln.priority <= MUST_SEE)
    return len(lines) if must >= len(lines) - 1 else must + 1


@dataclass(frozen=True)
class Block:
    """A part of the screen stacked with the others: its rows at least and at most (titles
    included)."""

    least: int
    full: int


def share_rows(available: int, blocks: Sequence[Block], reserve: int) -> list[int]:
    """Each block's height, the blocks in order of importance; what they leave is the race
    radio's (at least `reserve` rows, unless the blocks' must-see rows need them).

    The blocks get their least rows in order, then their full rows in order: a panel is
    folded only when the screen has no row left for it.
    """
    sizes = [0] * len(blocks)
    left = max(0, available - reserve)
    for i, block in enumerate(blocks):
        sizes[i] = min(block.least, left)
        left -= sizes[i]
    # The must-see rows before the radio's reserve.
    left += min(reserve, available)
    for i, block in enumerate(blocks):
        more = min(block.least - sizes[i], left)
        sizes[i] += more
        left -= more
    left -= min(reserve, left)
    for i, block in enumerate(blocks):
        more = min(block.full - sizes[i], left)
        sizes[i] += more
        left -= more
    return sizes


def keep_heights(
    sizes: Sequence[int], held: Sequence[int], blocks: Sequence[Block], spare: int
) -> list[int]:
    """`sizes` (`share_rows`'), each block as tall as `held` (the rows it had lately) where
    that is taller, in order of importance: paid by the `spare` rows (the race radio's beyond
    its reserve), then by the blocks after it, the last first, down to their must-see rows."""
    out = list(sizes)
    for i in range(len(out)):
        wanted = held[i] - out[i]
        paid = min(max(0, wanted), spare)
        spare -= paid
        for j in reversed(range(i + 1, len(out))):
            given = min(wanted - paid, out[j] - min(blocks[j].least, sizes[j]))
            if given > 0:
                out[j] -= given
                paid += given
        out[i] += paid
    return out


class HeightHold:
    """The most rows each block had over the last `hold_s` seconds: a block keeps the rows it
    needed a moment ago, so that the screen is not laid out again for each row more or less."""

    def __init__(self, hold_s: float) -> None:
        self._hold_s = hold_s
        self._had: dict[str, deque[tuple[float, int]]] = {}
        """Each block's sizes by time, each larger than every later one (the first the most)."""

    def most(self, name: str, size: int, now: float) -> int:
        """The most rows `name` had over the last `hold_s` seconds, `size` at `now` included."""
        had = self._had.setdefault(name, deque())
        while had and had[-1][1] <= size:
            had.pop()
        had.append((now, size))
        while now - had[0][0] >= self._hold_s:
            had.popleft()
        return had[0][1]

    def clear(self) -> None:
        self._had.clear()
