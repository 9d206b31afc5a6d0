"""A rider's card on screen: its rows ("?" for what is unknown, never 0) and its snapshots at
80x24 and 160x48 in both themes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.binding import Binding

from race.card import RiderReading, rider_card
from race.models import Bib
from race.situation import Situation
from tests.support.app import wait_for
from tests.support.stages import flat_at, mountain_at
from tui.app import ArdoiseApp
from tui.keymap import SCREEN_KEYS
from tui.panels.card import card_lines, card_title
from tui.screens.card import RiderCardScreen
from tui.themes import THEMES, VARIABLE_DEFAULTS

SnapCompare = Callable[..., bool]


def _rows(situation: Situation, bib: Bib, reading: RiderReading | None = None) -> list[str]:
    card = rider_card(situation, bib, reading)
    return [row.plain for row in card_lines(card)]


def test_an_unknown_rider_reads_question_marks_never_zero() -> None:
    _, situation = flat_at(60.0)
    rows = _rows(situation, 999)
    assert rows == [
        "Team       ?",
        "Nation     ?",
        "Jersey     ?",
        "Role       ?",
        "Group      ?  not placed by the feed",
        "Km to go   ?",
        "Speed      ?",
        "Time limit not placed by the feed",
        "Marked     no  (* marks)",
    ]
    title = card_title(rider_card(situation, 999))
    assert "".join(p if isinstance(p, str) else p[0] for p in title) == "#999 not in the start list"


def test_a_rider_in_a_group_tight_on_the_limit() -> None:
    _, situation = mountain_at(20.0)
    listed = situation.time_limit.riders[0]
    marked = situation.model_copy(update={"marked": (listed.bib,)})
    rows = _rows(marked, listed.bib)
    group = next(g for g in situation.groups if listed.bib in g.riders)
    assert rows[4].startswith(f"Group      {group.name}  +")
    assert rows[5] == f"Km to go   {group.km_to_finish:.1f}  (his group's)"
    assert rows[7].startswith("Time limit ! tight  margin +")
    assert rows[8] == "Marked     yes  (* unmarks)"


def test_his_own_speed_says_so() -> None:
    _, situation = flat_at(60.0)
    assert situation.t is not None
    bib = situation.groups[1].riders[0]
    rows = _rows(situation, bib, RiderReading(situation.t, 61.84, 44.26))
    assert rows[5] == "Km to go   61.8  (his own)"
    assert rows[6] == "Speed      44.3 km/h  (his own)"


class CardHarness(App[None]):
    """A rider's card over an empty screen, on a fixed situation (the app's side of the card:
    `tui.screens.card.RiderDesk`)."""

    CSS_PATH = ArdoiseApp.CSS_PATH

    def __init__(self, situation: Situation, bib: Bib, theme: str) -> None:
        super().__init__()
        self.situation = situation
        self._bib = bib
        self._theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def rider_reading(self, bib: Bib) -> RiderReading | None:
        return None

    def toggle_mark(self, bib: Bib) -> None:
        marked = set(self.situation.marked) ^ {bib}
        self.situation = self.situation.model_copy(update={"marked": tuple(sorted(marked))})

    def screen_keys(self, binding_id: str) -> tuple[str, ...]:
        return tuple(SCREEN_KEYS[binding_id].split(","))

    @property
    def mark_key(self) -> str:
        return self.get_key_display(Binding(self.screen_keys("mark")[0], ""))

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = self._theme
        self.push_screen(RiderCardScreen(self._bib))


def _tight_rider() -> tuple[Situation, Bib]:
    """The mountain stage at 20 km: a rider of the second grupetto, tight on the time limit,
    marked."""
    _, situation = mountain_at(20.0)
    bib = situation.time_limit.riders[0].bib
    return situation.model_copy(update={"marked": (bib,)}), bib


async def test_star_on_the_card_unmarks_him() -> None:
    situation, bib = _tight_rider()
    app = CardHarness(situation, bib, "ardoise")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: isinstance(app.screen, RiderCardScreen))
        await pilot.press("asterisk")
        screen = app.screen
        assert isinstance(screen, RiderCardScreen)
        assert app.situation.marked == ()
        assert screen.rows[-1] == "Marked     no  (* marks)"


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_rider_card_snapshot(snap_compare: SnapCompare, size: tuple[int, int], theme: str) -> None:
    situation, bib = _tight_rider()
    assert snap_compare(CardHarness(situation, bib, theme), terminal_size=size)
