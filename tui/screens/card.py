"""A rider's card over the race: who he is, his group, km to go, speed, his time-limit status,
marked or not; kept up to date as the race goes on. `*` marks or unmarks him, escape closes."""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from race.card import RiderCard, RiderReading, rider_card
from race.models import Bib
from race.situation import Situation
from tui.panels.card import card_lines, card_title
from tui.panels.lines import Line

REFRESH_S = 0.5
"""The card follows the race at most this often (the screen draws five situations a second)."""


@runtime_checkable
class RiderDesk(Protocol):
    """What the card and the search need of the app."""

    @property
    def situation(self) -> Situation: ...

    def rider_reading(self, bib: Bib) -> RiderReading | None: ...

    def toggle_mark(self, bib: Bib) -> None: ...

    def screen_keys(self, binding_id: str) -> tuple[str, ...]: ...

    @property
    def mark_key(self) -> str:
        """The key that marks and unmarks a rider, as bound."""
        ...


def desk_of(app: object) -> RiderDesk:
    """The app, as the card and the search use it."""
    assert isinstance(app, RiderDesk)
    return app


def parts_content(row: Line) -> Content:
    """A row's parts as Content, each text taken as plain text (names come from the feed)."""
    return Content.assemble(*row.parts)


class RiderCardScreen(ModalScreen[None]):
    """One rider's card."""

    DEFAULT_CSS = """
    RiderCardScreen { align: center middle; }
    RiderCardScreen #card {
        width: 100%;
        max-width: 72;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-color: $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    RiderCardScreen #card-title { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    RiderCardScreen #card-rows { height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("asterisk", "mark", "Mark / unmark", id="mark", tooltip="Mark or unmark him"),
        Binding("escape,q", "close", "Close", id="close-card", tooltip="Back"),
    ]

    def __init__(self, bib: Bib) -> None:
        super().__init__()
        self.bib = bib
        self.card: RiderCard | None = None
        self._title = Static(id="card-title")
        self._rows = Static(id="card-rows")
        self._shown: tuple[Situation, RiderCard] | None = None

    @property
    def _desk(self) -> RiderDesk:
        return desk_of(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="card") as box:
            box.border_title = "RIDER"
            yield self._title
            yield self._rows
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_card()
        self.set_interval(REFRESH_S, self.refresh_card)

    def refresh_card(self) -> None:
        """Build the card from the situation on screen; redraw only when it changed."""
        desk = self._desk
        situation = desk.situation
        card = rider_card(situation, self.bib, desk.rider_reading(self.bib))
        if self._shown is not None and self._shown == (situation, card):
            return
        self._shown = (situation, card)
        self.card = card
        self._title.update(Content.assemble(*card_title(card)))
        rows = card_lines(card, self._mark_key())
        self._rows.update(Content("\n").join(parts_content(row) for row in rows))

    @property
    def rows(self) -> list[str]:
        """The card's rows as plain text (tests, text captures)."""
        if self.card is None:
            return []
        title = "".join(p if isinstance(p, str) else p[0] for p in card_title(self.card))
        return [title, *(row.plain for row in card_lines(self.card, self._mark_key()))]

    def _mark_key(self) -> str:
        return self._desk.mark_key

    def action_mark(self) -> None:
        self._desk.toggle_mark(self.bib)
        self.refresh_card()

    def action_close(self) -> None:
        self.dismiss(None)
