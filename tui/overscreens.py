"""What the app opens over the race: the profile, the gap chart, the results, the search, every
row, the help; and the keys as `[keymap]` binds them, as the screens name them.

A base of `ArdoiseApp`: what it reads of the app (the situation on screen, the engine, the view,
the keymap) the app sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual.app import App, SystemCommand
from textual.binding import Binding

from race.situation import Situation
from tui.bindings import help_text
from tui.engineroom import EngineRoom
from tui.keymap import SCREEN_KEYS
from tui.panels.view import ViewContext
from tui.screens.race import RaceScreen


class OverScreens(App[None]):
    """The keys that open a screen over the race, and how keys are shown."""

    _keymap: dict[str, str]
    """Binding id → keys, from `[keymap]`."""
    _situation: Situation
    """The situation on screen."""
    _engine: EngineRoom
    _view: Callable[[], ViewContext]
    """How the panels are drawn now (`ArdoiseApp`'s method: it knows the feed and the clock)."""

    @property
    def race_screen(self) -> RaceScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, RaceScreen)
        return screen

    def screen_keys(self, binding_id: str) -> tuple[str, ...]:
        """The keys of one of the screens' bindings (`SCREEN_KEYS`), as `[keymap]` binds them."""
        return tuple((self._keymap.get(binding_id) or SCREEN_KEYS[binding_id]).split(","))

    @property
    def mark_key(self) -> str:
        """The key that marks and unmarks a rider, as shown."""
        return self.get_key_display(Binding(self.screen_keys("mark")[0], ""))

    def key_display(self, binding_id: str) -> str:
        """The key of one of the app's bindings as shown, after `[keymap]`."""
        binding = next(b for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)
        keys = self._keymap.get(binding_id, binding.key).split(",")[0]
        return self.get_key_display(Binding(keys, binding.action))

    def action_theme(self, name: str) -> None:
        self.theme = name

    def action_toggle_sunlight(self) -> None:
        self.theme = "ardoise" if self.theme == "sunlight" else "sunlight"

    def action_profile(self) -> None:
        from tui.screens.profile import ProfileScreen

        if not isinstance(self.screen, ProfileScreen):
            self.push_screen(
                ProfileScreen(
                    lambda: (self._situation, self._view()),
                    close_keys=self._close_keys("close-profile"),
                )
            )

    def action_chart(self) -> None:
        """The gap chart over the race (updated as the race goes on)."""
        from tui.screens.gapchart import GapChartScreen

        if not isinstance(self.screen, GapChartScreen):
            self.push_screen(
                GapChartScreen(
                    lambda: self._engine.race.gap_story(),
                    close_keys=self._close_keys("close-chart"),
                )
            )

    def action_results(self) -> None:
        """The stage's result over the race (follows the riders crossing the line)."""
        from tui.screens.results import ResultsScreen

        if not isinstance(self.screen, ResultsScreen):
            self.push_screen(
                ResultsScreen(
                    lambda: (self._engine.race.results(), self._situation.roster),
                    close_keys=self._close_keys("close-results"),
                )
            )

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen  # Markdown costs 40 ms of start-up: load on demand.

        keys: dict[str, tuple[str, str]] = {}
        for b in self.BINDINGS:
            if isinstance(b, Binding) and b.id and b.id not in keys:
                keys[b.id] = (self.key_display(b.id), help_text(b))
        self.push_screen(HelpScreen(list(keys.values()), close_keys=self._close_keys("close-help")))

    def _close_keys(self, binding_id: str) -> str:
        """ "escape or ?": the keys that close a screen, as `[keymap]` binds them."""
        return " or ".join(
            self.get_key_display(Binding(k, "")) for k in self.screen_keys(binding_id)[:2]
        )

    def action_more(self) -> None:
        """Every row of the panels, in a screen over the race (updated as the race goes on)."""
        from tui.screens.more import MoreScreen

        if not isinstance(self.screen, MoreScreen):
            self.push_screen(MoreScreen(self.race_screen))

    def overscreen_commands(self) -> Iterator[SystemCommand]:
        """The command palette's way to the screens over the race."""
        yield SystemCommand("Stage profile", "Climbs, km marks, the groups", self.action_profile)
        yield SystemCommand("Gap chart", "The gaps over the road, the catches", self.action_chart)
        yield SystemCommand(
            "Find a rider or a team", "His card; mark him to follow", self.action_find
        )

    def action_find(self) -> None:
        """Find a rider or a team, over the race."""
        from tui.screens.find import FindScreen

        if not isinstance(self.screen, FindScreen):
            self.push_screen(FindScreen())
