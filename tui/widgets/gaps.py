"""The time-gap panel (rows built by `tui.panels.gaps`): a group's row can be chosen, with the
arrow keys and enter or a click, to see all its riders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from race.situation import Situation
from tui.panels.gaps import gap_lines
from tui.panels.lines import Line
from tui.panels.view import ViewContext
from tui.widgets.panel import RowsPanel


class GapsPanel(RowsPanel):
    """The groups on the road. Focused, up and down move a highlight over the groups' rows and
    enter opens the one highlighted; a click opens the row clicked."""

    can_focus = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up", "move(-1)", "Previous group", id="group-up", show=False, tooltip="Group ahead"
        ),
        Binding(
            "down", "move(1)", "Next group", id="group-down", show=False, tooltip="Group behind"
        ),
        Binding(
            "enter",
            "open",
            "Riders",
            id="group-riders",
            show=False,
            tooltip="Every rider of the group highlighted in the time gaps",
        ),
    ]

    class GroupChosen(Message):
        """A group was chosen to see its riders."""

        def __init__(self, group_id: str) -> None:
            super().__init__()
            self.group_id = group_id

    def __init__(self) -> None:
        super().__init__("TIME GAPS", id="gaps")
        self.selected: str | None = None
        """The id of the group highlighted (kept across updates while the group exists)."""

    def show(self, situation: Situation, view: ViewContext) -> None:
        width = self.content_size.width or None
        self.set_rows(gap_lines(situation, view.my_team, wide=view.wide, width=width))

    def _put(self, rows: Sequence[Line]) -> None:
        # Rows redrawn (new lines, or folded to another height) lose their classes.
        super()._put(rows)
        self._highlight()

    @property
    def keys(self) -> list[str]:
        """The groups' ids, in the order of their rows."""
        return [row.key for row in self.lines if row.key is not None]

    def action_move(self, step: int) -> None:
        keys = self.keys
        if not keys:
            return
        if self.selected not in keys:
            self.selected = keys[0] if step > 0 else keys[-1]
        else:
            at = keys.index(self.selected) + step
            self.selected = keys[max(0, min(at, len(keys) - 1))]
        self._highlight()

    def action_open(self) -> None:
        if self.selected is None and self.keys:
            self.selected = self.keys[0]
            self._highlight()
        if self.selected in self.keys:
            self.post_message(self.GroupChosen(self.selected))

    def on_click(self, event: Click) -> None:
        rows = list(self.query_children(Static))
        lines = self.lines
        if event.widget not in rows or rows.index(event.widget) >= len(lines):
            return  # Not a row, or one hidden (kept for later).
        key = lines[rows.index(event.widget)].key
        if key is not None:
            self.selected = key
            self._highlight()
            self.post_message(self.GroupChosen(key))

    def on_focus(self) -> None:
        self._highlight()

    def on_blur(self) -> None:
        self._highlight()

    def _highlight(self) -> None:
        # Shown only while the panel has the focus: unfocused, no row looks chosen.
        lines = self.lines
        for index, widget in enumerate(self.query_children(Static)):
            # Rows past the lines shown are hidden, kept for later: never chosen.
            key = lines[index].key if index < len(lines) else None
            chosen = self.has_focus and key is not None and key == self.selected
            widget.set_class(chosen, "-selected")
            if chosen:
                self.scroll_to_widget(widget, animate=False)
