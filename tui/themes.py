"""Ardoise's two themes: slate and chalk for the sofa, high contrast for the sun in the team car."""

from __future__ import annotations

from textual.theme import Theme

VARIABLE_DEFAULTS = {"my-team": "#4d3d12"}
"""Ardoise's own theme variables, with their values before a theme of its own is set
(`App.get_theme_variable_defaults`). `$my-team` is the background of my team's rows: a solid
colour, not a tint of the accent, so that it shows in the sun (highlighter yellow under black
text in sunlight, dark amber under the dark theme's light text)."""

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
    variables=VARIABLE_DEFAULTS,
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
    variables={"my-team": "#ffd630"},
)

THEMES = {theme.name: theme for theme in (ARDOISE, SUNLIGHT)}
