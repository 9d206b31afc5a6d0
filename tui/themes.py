"""Ardoise's two themes: slate and chalk for the sofa, high contrast for the sun in the team car."""

from __future__ import annotations

from textual.app import App
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


def start_in(app: App[None], theme: str) -> None:
    """Put `app` in Ardoise's themes only, `theme` in force, before its stylesheet is first read.

    Setting `App.theme` would also have Textual read the whole stylesheet a second time once
    the app runs (2 % of a launch); before the first reading, setting the theme's variables,
    classes and ANSI colours as Textual's `_watch_theme` does is all it takes."""
    for registered in THEMES.values():
        app.register_theme(registered)
    app.set_reactive(App.theme, theme)
    for name in list(app.available_themes):
        if name not in THEMES:  # The palette lists what is registered: none made for the sun.
            app.unregister_theme(name)
    dark = app.current_theme.dark
    app.update_classes(
        {f"-theme-{theme}": True, "-dark-mode": dark, "-light-mode": not dark}, update=False
    )
    app._refresh_truecolor_filter(app.ansi_theme)
    app.stylesheet.set_variables(app.get_css_variables())
