"""A panel's row: styled parts, classes for the stylesheet, and how much it must stay on screen."""

from __future__ import annotations

from dataclasses import dataclass, field

Part = str | tuple[str, str]
"""Plain text, or (text, style) where style is a Textual style string such as "bold $accent"."""

MUST_SEE = 0
"""Always on screen: a group in danger or outside the limit, my team, the head of the race and
the peloton, the finale's first trains."""
IMPORTANT = 1
"""The other groups and trains."""
USUAL = 2
"""Projections, summaries."""
DETAIL = 3
"""What a trend or a projection was measured on: the first to fold."""


@dataclass(frozen=True)
class Line:
    parts: tuple[Part, ...]
    classes: frozenset[str] = field(default_factory=frozenset)
    priority: int = USUAL
    """When its panel is short of rows, lines fold from the highest `priority` up."""
    key: str | None = None
    """What the row stands for, when it can be chosen: a group's id."""

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else p[0] for p in self.parts)


def line(
    *parts: Part, classes: set[str] | None = None, priority: int = USUAL, key: str | None = None
) -> Line:
    return Line(tuple(parts), frozenset(classes or ()), priority, key)
