"""The stage profile on a screen of its own: on a narrow screen the race screen has no room for
it, and on a wide one it is taller here than in the race screen's strip."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from race.situation import Situation
from tui.panels.view import ViewContext
from tui.widgets.profile import ProfileStrip

REFRESH_S = 0.5
"""The groups move on the profile at most this often: a cell is a km or more."""

Current = Callable[[], tuple[Situation, ViewContext]]
"""The situation on the race screen and how it is shown, asked for at each refresh."""


class ProfileScreen(ModalScreen[None]):
    """The profile over the race screen, following the race until closed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,q", "dismiss", "Close", id="close-profile", tooltip="Close the profile")
    ]

    def __init__(self, current: Current, *, close_keys: str = "escape or v") -> None:
        super().__init__()
        self._current = current
        self._close_keys = close_keys
        self.chart = ProfileStrip(id="profile-chart")

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-box") as box:
            box.border_title = "STAGE PROFILE"
            yield self.chart
            yield Static(f"{self._close_keys} closes the profile", id="profile-close")

    def on_mount(self) -> None:
        self._refresh_chart()
        self.set_interval(REFRESH_S, self._refresh_chart)

    def _refresh_chart(self) -> None:
        situation, view = self._current()
        self.chart.show(situation, view)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
