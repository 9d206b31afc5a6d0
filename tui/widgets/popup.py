"""The pop-up line: my team's and critical alerts, on a row of their own above the footer."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static

from race.situation import Alert, Situation
from tui.panels.lines import Line
from tui.panels.popups import live, pops_up, popup_line
from tui.panels.view import ViewContext


class PopupLine(Static):
    """Shown only while an alert is news in race time; the race screen gives it its row."""

    def __init__(self) -> None:
        super().__init__(id="popup", markup=False)
        self._offered: list[Alert] = []
        self._shown: Line | None = None
        self.display = False

    def offer(self, alerts: Iterable[Alert], situation: Situation, view: ViewContext) -> None:
        """Keep those of `alerts` that pop up (the race radio has them all)."""
        self._offered.extend(a for a in alerts if pops_up(a, situation.roster, view.my_team))

    def update_for(self, situation: Situation, view: ViewContext) -> bool:
        """Show the newest alert still news at the engine's race time; whether one is shown."""
        now_t = view.race_t if view.race_t is not None else situation.t
        current = live(self._offered, now_t)
        # Alerts no longer news are forgotten: the list stays short on a long stage.
        self._offered = [a for a in self._offered if a in current]
        row = popup_line(current, situation.timezone)
        if row != self._shown:
            self._shown = row
            if row is not None:
                self.update(Content.assemble(*row.parts))
                self.set_classes(set(row.classes))
        self.display = row is not None
        return row is not None

    @property
    def text(self) -> str:
        """The pop-up's text, empty when none is shown."""
        return self._shown.plain if self._shown is not None else ""
