"""The app's keys: what each does, how the footer and the help name it."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tui.seekkeys import SEEK_BINDINGS

APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="quit", tooltip="Leave Ardoise"),
    # Two bindings on one key and id, one shown at a time (`check_action`): the footer names
    # what the key does now, and `[keymap] pause` rebinds both.
    Binding("p", "pause", "Pause", id="pause", tooltip="Pause the feed (the race clock stops)"),
    Binding("p", "resume", "Resume", id="pause", tooltip="Resume the feed"),
    Binding(
        "t",
        "theme('sunlight')",
        "Sunlight",
        id="theme",
        tooltip="Switch to the high-contrast theme for bright light",
    ),
    Binding("t", "theme('ardoise')", "Dark", id="theme", tooltip="Back to the dark theme"),
    Binding(
        "v",
        "profile",
        "Profile",
        id="profile",
        tooltip="The stage profile: climbs, km marks, the groups on the road",
    ),
    Binding("question_mark", "help", "Help", id="help", tooltip="What the panels show"),
    Binding(
        "slash",
        "find",
        "Find",
        id="find",
        tooltip="Find a rider or a team: his card, mark him to follow",
    ),
    Binding(
        "m",
        "more",
        "More",
        id="more",
        tooltip='Every row of the panels, those folded into "+N more" included',
    ),
    # In the help and the palette, not the footer: it has no room left at 80 columns.
    Binding(
        "g",
        "chart",
        "Chart",
        id="chart",
        show=False,
        tooltip="How the gaps evolved over the road: catches, the time-limit cut",
    ),
    Binding(
        "r",
        "results",
        "Results",
        id="results",
        show=False,
        tooltip="The stage's result at the finish: first 20, groups, outside the cut",
    ),
    *SEEK_BINDINGS,
]
"""`ArdoiseApp.BINDINGS`; `tui.keymap.APP_KEYS` names the same ids with their default keys."""

HELP_TEXTS = {
    "pause": "Pause or resume the feed (the race clock stops)",
    "theme": "The high-contrast theme for bright light, and back",
}
"""The help's words for a key whose footer name follows the state."""


def help_text(binding: Binding) -> str:
    return HELP_TEXTS.get(binding.id or "") or binding.tooltip or binding.description
