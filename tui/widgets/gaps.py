"""The time-gap panel (rows built by `tui.panels.gaps`): a group's row can be chosen, with the
arrow keys and enter or a click, to see all its riders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message

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
        columns = self.text_columns(view)
        self.set_rows(gap_lines(situation, view.my_team, wide=view.wide, width=columns or None))

    def _put(self, rows: Sequence[Line]) -> None:
        before = self._chosen_row()
        super()._put(rows)
        self._highlight(before)

    @property
    def keys(self) -> list[str]:
        """The groups' ids, in the order of their rows."""
        return [row.key for row in self.lines if row.key is not None]

    def action_move(self, step: int) -> None:
        keys = self.keys
        if not keys:
            return
        before = self._chosen_row()
        if self.selected not in keys:
            self.selected = keys[0] if step > 0 else keys[-1]
        else:
            at = keys.index(self.selected) + step
            self.selected = keys[max(0, min(at, len(keys) - 1))]
        self._highlight(before)

    def action_open(self) -> None:
        if self.selected is None and self.keys:
            self.selected = self.keys[0]
            self._highlight(None)
        if self.selected in self.keys:
            self.post_message(self.GroupChosen(self.selected))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        index = self.row_at(offset.y) if offset is not None else None
        key = self.lines[index].key if index is not None else None
        if key is not None:
            before = self._chosen_row()
            self.selected = key
            self._highlight(before)
            self.post_message(self.GroupChosen(key))

    def on_focus(self) -> None:
        self._highlight(None)

    def on_blur(self) -> None:
        self._highlight(self._chosen_row(focused=True))

    def row_classes(self, index: int) -> frozenset[str]:
        classes = super().row_classes(index)
        return classes | {"-selected"} if index == self._chosen_row() else classes

    def _chosen_row(self, *, focused: bool = False) -> int | None:
        """The index of the row highlighted: shown only while the panel has the focus
        (unfocused, no row looks chosen)."""
        if not (self.has_focus or focused) or self.selected is None:
            return None
        return next((i for i, ln in enumerate(self.lines) if ln.key == self.selected), None)

    def _highlight(self, before: int | None) -> None:
        """Repaint the row highlighted before and the one now, and bring it into view."""
        now = self._chosen_row()
        self.refresh_rows(i for i in {before, now} if i is not None)
        if now is not None:
            self.scroll_to_region(self.region_of(now), animate=False, immediate=True)
