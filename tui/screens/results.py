"""The stage's result on a screen of its own (`r`), opened by itself once the winner has
crossed the line: the first twenty with their provisional times, the groups' gaps at the line
and the riders outside the time limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from race.situation import Roster
from race.story import StageResults
from tui.panels.results import results_lines

REFRESH_S = 1.0
"""Riders keep crossing the line after the winner: the list follows once a second."""

Current = Callable[[], tuple[StageResults | None, Roster]]
"""The result now (`Race.results`) and the riders to name."""


class ResultsScreen(ModalScreen[None]):
    """The result over the race screen, following the finish until closed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,r,q", "dismiss", "Close", id="close-results", tooltip="Close the results")
    ]

    def __init__(self, current: Current, *, close_keys: str = "escape or r") -> None:
        super().__init__()
        self._current = current
        self._close_keys = close_keys
        self.rows = Static(id="results-rows")
        self.lines: list[str] = []
        """The rows' plain text as last shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="results-box") as box:
            box.border_title = "RESULTS"
            with VerticalScroll():
                yield self.rows
            yield Static(f"{self._close_keys} closes the results", id="results-close")

    def on_mount(self) -> None:
        self._refresh_rows()
        self.set_interval(REFRESH_S, self._refresh_rows)

    def _refresh_rows(self) -> None:
        results, roster = self._current()
        rows = results_lines(results, roster)
        plain = [row.plain for row in rows]
        if plain != self.lines:
            self.lines = plain
            self.rows.update(Content("\n").join(Content.assemble(*row.parts) for row in rows))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
