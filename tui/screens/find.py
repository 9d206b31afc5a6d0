"""Find a rider or a team (`/`): type a name, a bib, a team's code or name (accents not
needed); enter opens the rider's card, or lists the team's riders; `*` marks or unmarks the
rider highlighted; escape goes back (from a team to the search, from the search to the race)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from race.models import Bib
from race.situation import Roster
from tui.panels.who import MARK
from tui.screens.card import RiderCardScreen, RiderDesk, desk_of
from tui.search import Found, RiderSearch


class QueryInput(Input):
    """The query: every key types but those that mark a rider (a name holds no "*")."""

    def __init__(self, reserved: Collection[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reserved = frozenset(reserved)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Not consumed: the screen's binding gets the key.
        return key not in self.reserved and super().check_consume_key(key, character)


class FindScreen(ModalScreen[None]):
    """The search over the race screen; the results follow what is typed."""

    DEFAULT_CSS = """
    FindScreen { align: center top; }
    FindScreen #find {
        width: 100%;
        max-width: 72;
        height: auto;
        max-height: 100%;
        margin-top: 1;
        border: round $primary;
        border-title-color: $accent;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    FindScreen #find-query { border: none; height: 1; padding: 0 1; background: $boost; }
    FindScreen #find-note { height: auto; color: $text-muted; }
    FindScreen #find-results { height: auto; max-height: 20; border: none; padding: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the query is being typed (`QueryInput` leaves the key to it).
        Binding(
            "asterisk",
            "mark",
            "Mark / unmark",
            id="mark",
            tooltip="Mark or unmark the rider highlighted",
            priority=True,
        ),
        Binding("escape", "back", "Back", id="close-find", tooltip="Back to the race"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_input = QueryInput(
            (), value=query, placeholder="Name, bib or team (accents not needed)", id="find-query"
        )
        self.note = Static(id="find-note", markup=False)
        self.results = OptionList(id="find-results")
        self.found: list[Found] = []
        """What the list shows now."""
        self.team: str | None = None
        """The team whose riders are listed (a team was picked), else None."""
        self._search: tuple[Roster, RiderSearch] | None = None

    @property
    def _desk(self) -> RiderDesk:
        return desk_of(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="find") as box:
            box.border_title = "FIND A RIDER OR A TEAM"
            box.border_subtitle = "↑↓ choose · enter: his card or the team's riders"
            yield self.query_input
            yield self.note
            yield self.results
        yield Footer()

    def on_mount(self) -> None:
        self.query_input.reserved = frozenset(self._desk.screen_keys("mark"))
        self.query_input.focus()
        self.show_results()

    @property
    def search(self) -> RiderSearch:
        """The search over the roster on screen (made again when the start list changes)."""
        roster = self._desk.situation.roster
        if self._search is None or self._search[0] is not roster:
            self._search = (roster, RiderSearch(roster))
        return self._search[1]

    @on(Input.Changed, "#find-query")
    def _typed(self) -> None:
        self.team = None
        self.show_results()

    def show_results(self, keep: int | None = None) -> None:
        """List what the query (or the team picked) finds; `keep` the highlight's place."""
        search = self.search
        if self.team is not None:
            self.found = search.team(self.team)
            team = next((f.text for f in search.find("") if f.team == self.team), self.team)
            note = f"{team} · escape: back to the search"
        else:
            query = self.query_input.value
            self.found = search.find(query)
            if not self._desk.situation.roster.riders:
                note = "No start list yet: nobody to find"
            elif not self.found:
                note = "No rider or team matches"
            elif not query.strip():
                note = "Teams: type a name, a bib or a team"
            else:
                note = ""
        self.note.update(note)
        self.note.display = bool(note)
        marked = set(self._desk.situation.marked)
        results = self.results
        results.clear_options()
        results.add_options([Option(_prompt(f, marked)) for f in self.found])
        if self.found:
            results.highlighted = min(keep or 0, len(self.found) - 1)

    @property
    def highlighted(self) -> Found | None:
        index = self.results.highlighted
        return self.found[index] if index is not None and index < len(self.found) else None

    def action_move(self, by: int) -> None:
        if self.found:
            index = self.results.highlighted
            self.results.highlighted = max(0, min(len(self.found) - 1, (index or 0) + by))

    @on(Input.Submitted, "#find-query")
    def _submitted(self) -> None:
        self.pick(self.highlighted)

    @on(OptionList.OptionSelected, "#find-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.pick(self.found[event.option_index] if event.option_index < len(self.found) else None)

    def pick(self, found: Found | None) -> None:
        """A rider's card, or a team's riders."""
        if found is None:
            self.app.bell()
        elif found.bib is not None:
            self.app.push_screen(RiderCardScreen(found.bib), lambda _: self._back_from_card())
        else:
            self.team = found.team
            self.show_results()

    def _back_from_card(self) -> None:
        """He may have been marked on his card: the list says so."""
        self.show_results(keep=self.results.highlighted)
        self.query_input.focus()

    def action_mark(self) -> None:
        found = self.highlighted
        if found is None or found.bib is None:
            self.app.bell()
            return
        self._desk.toggle_mark(found.bib)
        self.show_results(keep=self.results.highlighted)

    def action_back(self) -> None:
        if self.team is not None:
            self.team = None
            self.show_results()
        else:
            self.dismiss(None)


def _prompt(found: Found, marked: set[Bib]) -> Content:
    """A result: the matched letters highlighted, a mark before a marked rider; the text is
    taken as plain text."""
    content = Content(found.text)
    for offset in found.matched:
        if offset < len(found.text) and not found.text[offset].isspace():
            content = content.stylize("bold $accent underline", offset, offset + 1)
    if found.kind == "team":
        return Content.assemble(("▸ ", "$text-muted"), content)
    lead = (f"{MARK} ", "bold $accent") if found.bib in marked else "  "
    return Content.assemble(lead, content)
