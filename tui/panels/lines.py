"""A panel's row: styled parts, and classes for the stylesheet."""

from __future__ import annotations

from dataclasses import dataclass, field

Part = str | tuple[str, str]
"""Plain text, or (text, style) where style is a Textual style string such as "bold $accent"."""


@dataclass(frozen=True)
class Line:
    parts: tuple[Part, ...]
    classes: frozenset[str] = field(default_factory=frozenset)
    key: str | None = None
    """What the row stands for, when it can be chosen: a group's id."""

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else p[0] for p in self.parts)


def line(*parts: Part, classes: set[str] | None = None, key: str | None = None) -> Line:
    return Line(tuple(parts), frozenset(classes or ()), key)
