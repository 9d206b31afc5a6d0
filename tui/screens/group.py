"""A group's detail, over the race screen: every rider of the group chosen in the time-gap
panel, kept up to date with each situation; escape closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Static

from race.situation import Situation
from tui.panels.group import detail_lines, detail_notes, detail_title, find_group
from tui.panels.lines import Line
from tui.panels.view import ViewContext
from tui.widgets.panel import RowsPanel

CLOSE_HINT = "escape closes · ↑↓ scroll"
BOX_LINES = 4
BOX_MAX_WIDTH = 120
BOX_SIDES = 5
"""The box's columns besides the rows': borders, padding and the scroll bar."""
"""The box's lines besides the riders': its two borders, the title and the columns' heading."""


class GroupScreen(ModalScreen[None]):
    """Every rider of one group. It follows the group by its id; when the group is gone (caught,
    merged), the group holding most of its riders, and says so."""

    DEFAULT_CSS = """
    GroupScreen { align: center middle; }
    GroupScreen #group-detail {
        width: 100%;
        max-width: 120;  /* BOX_MAX_WIDTH */
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-color: $accent;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    GroupScreen #group-title {
        height: 1; text-style: bold; color: $foreground; text-wrap: nowrap; text-overflow: ellipsis;
    }
    GroupScreen #group-note { height: auto; color: $warning; }
    GroupScreen #group-heading { height: 1; color: $text-muted; text-wrap: nowrap; }
    GroupScreen #group-riders { height: auto; scrollbar-size-vertical: 1; }
    GroupScreen #group-notes { height: auto; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-group", tooltip="Back to the race"),
    ]

    def __init__(self, group_id: str, situation: Situation, view: ViewContext) -> None:
        """
        Args:
            group_id: the group chosen.
            situation: the situation it was chosen in.
            view: how the race screen shows it (my team).
        """
        super().__init__()
        self.group_id = group_id
        chosen = next((g for g in situation.groups if g.id == group_id), None)
        self._group_name = chosen.name if chosen else "The group"
        self._group_riders = chosen.riders if chosen else ()
        self._situation = situation
        self._view = view
        self._title = Static(id="group-title")
        self._note = Static(id="group-note")
        self._heading = Static(id="group-heading")
        self.riders = RowsPanel("", id="group-riders")
        self.riders.remove_class("panel")  # The box is the border: no panel's rule above.
        self._notes = Static(id="group-notes")

    def compose(self) -> ComposeResult:
        with Vertical(id="group-detail") as box:
            box.border_title = "GROUP"
            box.border_subtitle = CLOSE_HINT
            yield self._title
            yield self._note
            yield self._heading
            yield self.riders
            yield self._notes

    def on_mount(self) -> None:
        self.riders.focus()
        self.show(self._situation, self._view)

    def on_resize(self, event: Resize) -> None:
        self.show(self._situation, self._view)

    def show(self, situation: Situation, view: ViewContext) -> None:
        """Show the group in `situation` (the race screen calls it with each new one)."""
        self._situation = situation
        self._view = view
        if not self.is_mounted:
            return
        found = find_group(situation, self.group_id, self._group_name, self._group_riders)
        if found is None:
            self._title.update(Content(f"{self._group_name}: no rider of it is placed any more"))
            self._note.display = False
            self._heading.update("")
            self.riders.set_rows([])
            return
        group = found.group
        if not found.note:
            self._group_riders = group.riders
            self._group_name = group.name
        self._title.update(Content(detail_title(group, situation.t)))
        self._note.update(Content(found.note))
        self._note.display = bool(found.note)
        # The rows' room from the screen's size (the box's own is not laid out at first).
        width = min(self.size.width or view.width, BOX_MAX_WIDTH) - BOX_SIDES
        heading, rows = detail_lines(situation, group, view.my_team, width)
        self._heading.update(Content.assemble(*heading.parts))
        self.riders.set_rows(rows)
        notes = detail_notes(situation)
        self._notes.update(Content(" ".join(notes)))
        self._notes.display = bool(notes)
        # The box grows with the group up to the screen's height; the riders scroll beyond.
        around = BOX_LINES + bool(found.note) + bool(notes)
        self.riders.styles.max_height = max(3, self.size.height - around)

    @property
    def rows(self) -> list[Line]:
        """The riders' rows shown now."""
        return self.riders.lines

    def action_close(self) -> None:
        self.dismiss(None)
