"""Every row of the panels, those the race screen folded into "+N more" included."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.panels.lines import Line

if TYPE_CHECKING:
    from tui.screens.race import RaceScreen


class MoreScreen(ModalScreen[None]):
    """The time gaps, the time limit and the lead-out in full, kept up to date as the race
    screen shows each new situation."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,m,q", "dismiss", "Close", id="close-more", tooltip="Back to the race")
    ]

    def __init__(self, race: RaceScreen) -> None:
        super().__init__()
        self._race = race
        self._body = Static(id="more-body")
        self._shown: list[tuple[str, list[Line]]] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="more"):
            yield self._body

    def on_mount(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Show the race screen's panels' every line, if they changed."""
        sections = self._race.every_line()
        if sections == self._shown:
            return
        self._shown = sections
        parts: list[Content] = []
        for title, lines in sections:
            parts.append(Content.styled(title, "bold $accent"))
            parts.extend(Content.assemble(*ln.parts) for ln in lines)
            parts.append(Content(""))
        self._body.update(Content("\n").join(parts))

    @property
    def sections(self) -> list[tuple[str, list[Line]]]:
        """Each panel's title and its every row, as shown."""
        return self._shown

    @property
    def text(self) -> str:
        """What the screen says, as plain text."""
        return "\n".join(
            "\n".join([title, *(ln.plain for ln in lines)]) for title, lines in self._shown
        )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
