"""Ardoise's two themes: slate and chalk for the sofa, high contrast for the sun in the team car."""

from __future__ import annotations

from textual.theme import Theme

ARDOISE = Theme(
    name="ardoise",
    primary="#7fa7c9",
    secondary="#a3b8c8",
    accent="#f2b134",
    foreground="#ecebe4",
    background="#1b2124",
    surface="#232b2f",
    panel="#2c363b",
    success="#7ccf5a",
    warning="#f2b134",
    error="#ff6b5e",
    dark=True,
)

SUNLIGHT = Theme(
    name="sunlight",
    primary="#00368a",
    secondary="#1f1f1f",
    accent="#a04800",
    foreground="#000000",
    background="#ffffff",
    surface="#ffffff",
    panel="#e6e6e6",
    success="#006b00",
    warning="#8a4b00",
    error="#c00000",
    dark=False,
)

THEMES = {theme.name: theme for theme in (ARDOISE, SUNLIGHT)}
