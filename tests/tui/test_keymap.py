"""`[keymap]` checks: the same binding ids as the app, the same key names as Textual."""

from __future__ import annotations

import string

import pytest
from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from tui.app import ArdoiseApp
from tui.keymap import APP_KEYS, SCREEN_KEYS, character_key, normalise_key, normalise_keymap
from tui.screens.card import RiderCardScreen
from tui.screens.find import FindScreen
from tui.screens.gapchart import GapChartScreen
from tui.screens.group import GroupScreen
from tui.screens.help import HelpScreen
from tui.screens.more import MoreScreen
from tui.screens.profile import ProfileScreen
from tui.screens.results import ResultsScreen
from tui.widgets.gaps import GapsPanel


def _ids_and_keys(bindings: list[object]) -> dict[str, str]:
    return {b.id: b.key for b in bindings if isinstance(b, Binding) and b.id}


def test_the_bindings_are_the_apps() -> None:
    assert _ids_and_keys(list(ArdoiseApp.BINDINGS)) == APP_KEYS
    screens: list[object] = [
        *HelpScreen.BINDINGS,
        *ProfileScreen.BINDINGS,
        *MoreScreen.BINDINGS,
        *GroupScreen.BINDINGS,
        *GapsPanel.BINDINGS,
        *RiderCardScreen.BINDINGS,
        *FindScreen.BINDINGS,
        *GapChartScreen.BINDINGS,
        *ResultsScreen.BINDINGS,
    ]
    assert _ids_and_keys(screens) == SCREEN_KEYS


def test_every_textual_key_name_is_accepted_as_it_is() -> None:
    names = [k.value for k in Keys if not k.value.startswith("<")]
    # Two spellings Textual keeps for compatibility and never reports.
    names = [n for n in names if n not in ("ctrl+@", "ctrl-at")]
    assert len(names) > 100
    for name in names:
        assert normalise_key(name) == name


def test_characters_are_named_as_textual_names_them() -> None:
    # Textual's own function is private: compared here so a change in Textual shows.
    for character in string.digits + string.ascii_letters + string.punctuation + "£§°é":
        assert character_key(character) == _character_to_key(character)
        assert normalise_key(character) == _character_to_key(character)
        assert normalise_key(_character_to_key(character)) == _character_to_key(character)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (" space ", "space"),
        ("ctrl+shift+f5", "ctrl+shift+f5"),
        ("alt+?", "alt+question_mark"),
        ("P", "P"),
        ("section_sign", "section_sign"),
    ],
)
def test_key_names_are_normalised(key: str, expected: str) -> None:
    assert normalise_key(key) == expected


@pytest.mark.parametrize(
    "key", ["", " ", "not a key!!", "ctrl+", "ctrl+ctrl+a", "hyperspace", "f99", "\x1b", "ctrl+\t"]
)
def test_non_keys_are_refused(key: str) -> None:
    with pytest.raises(
        ValueError, match=r"(empty key|not a key name|not a modifier|repeats a modifier)"
    ):
        normalise_key(key)


def test_swapping_two_keys_is_no_clash() -> None:
    keymap, problem = normalise_keymap({"quit": "p", "pause": "q"})
    assert problem is None
    assert keymap == {"quit": "p", "pause": "q"}


def test_two_bindings_on_one_key_is_a_clash() -> None:
    _, problem = normalise_keymap({"help": "t"})
    assert problem == ("help", "'t' is already the key of 'theme'")
