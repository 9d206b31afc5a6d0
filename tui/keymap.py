"""`[keymap]`: which bindings can be rebound, and which key names Textual understands.

Checked when the configuration is loaded, for every command, without importing Textual (it costs
~90 ms that `ardoise situation` does not otherwise pay). The names follow Textual's own
(`textual.keys`): modifiers joined by "+" before a key, a key being a letter or digit, a named
key ("space", "f5"...) or a punctuation character's name ("question_mark"); a test checks them
against Textual's.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping

APP_KEYS: Mapping[str, str] = {
    "quit": "q",
    "pause": "p",
    "theme": "t",
    "profile": "v",
    "help": "question_mark",
    "more": "m",
    "find": "slash",
    "chart": "g",
    "results": "r",
    "seek-back": "left",
    "seek-on": "right",
    "seek-back-far": "shift+left",
    "seek-on-far": "shift+right",
    "seek-start": "home",
    "live": "end",
    "faster": "plus",
    "slower": "minus",
}
"""The app's binding ids and their default keys (`ArdoiseApp.BINDINGS`; a test keeps them equal)."""

SCREEN_KEYS: Mapping[str, str] = {
    "close-help": "escape,question_mark,q",
    "close-profile": "escape,v,q",
    "close-more": "escape,m,q",
    "close-group": "escape",
    "group-up": "up",
    "group-down": "down",
    "group-riders": "enter",
    "mark": "asterisk",
    "close-card": "escape,q",
    "close-find": "escape",
    "close-chart": "escape,g,q",
    "close-results": "escape,r,q",
}
"""Bindings of screens shown over the app (the help, the profile, every row, a group's riders,
a rider's card, the search: `mark` is the card's and the search's) and of the time gaps panel
when it has the focus: they may share the app's keys."""

MODIFIERS = frozenset({"shift", "ctrl", "alt", "meta", "super", "hyper"})
"""The modifiers Textual names in its key events."""

NAMED_KEYS = frozenset(
    {
        *("escape", "enter", "return", "tab", "space", "backspace"),
        *("up", "down", "left", "right", "home", "end", "insert", "delete", "pageup", "pagedown"),
        *(f"f{n}" for n in range(1, 36)),
        *("caps_lock", "scroll_lock", "num_lock", "print_screen", "pause", "menu"),
    }
)
"""Keys that are not characters: `textual.keys.Keys`, and the kitty protocol's F25-F35 and
lock keys."""

_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
"""Textual's shorter names for some characters (`textual.keys.KEY_NAME_REPLACEMENTS`)."""


def character_key(character: str) -> str:
    """Textual's name for the key that types `character`: itself for a letter or digit, else its
    Unicode name in lower case with "_" ("?" → "question_mark")."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _NAME_REPLACEMENTS.get(name, name)


_CHARACTER_NAMES = frozenset(character_key(c) for c in string.punctuation + "£§°€¤µ²")
"""Names of the punctuation keys (US and European keyboards); others are looked up."""


def _is_character_name(name: str) -> bool:
    if name in _CHARACTER_NAMES:
        return True
    try:
        character = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return character.isprintable() and character_key(character) == name


def normalise_key(key: str) -> str:
    """One key as Textual names it (a typed "?" becomes "question_mark").

    Raises:
        ValueError: not a key Textual can report.
    """
    key = key.strip()
    if not key:
        raise ValueError("an empty key")
    if len(key) == 1:
        if not key.isprintable() or key.isspace():
            raise ValueError(f"{key!r} is not a key name (e.g. 'space', 'ctrl+p', 'f5')")
        return character_key(key)
    *modifiers, base = key.split("+")
    if len(base) == 1 and base.isprintable() and not base.isspace():
        base = character_key(base)
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} in {key!r} is not a modifier ({', '.join(sorted(MODIFIERS))})"
        )
    if len(set(modifiers)) != len(modifiers):
        raise ValueError(f"{key!r} repeats a modifier")
    valid = (len(base) == 1 and base.isalnum()) or base in NAMED_KEYS
    if not valid and not _is_character_name(base):
        raise ValueError(
            f"{key!r} is not a key name (e.g. 'p', 'space', 'ctrl+p', 'f5', 'question_mark')"
        )
    return "+".join([*modifiers, base])


def normalise_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, str] | None]:
    """The keymap with Textual's key names, and the first problem as (binding id, reason).

    A binding id must be one of the app's or its screens'; a key must be a key name; two of the
    app's bindings on one key would leave one of them without a key (Textual drops it).
    """
    known = {**APP_KEYS, **SCREEN_KEYS}
    normalised: dict[str, str] = {}
    for binding, keys in keymap.items():
        if binding not in known:
            return normalised, (binding, f"no binding {binding!r} (bindings: {', '.join(known)})")
        try:
            normalised[binding] = ",".join(normalise_key(key) for key in keys.split(","))
        except ValueError as error:
            return normalised, (binding, str(error))
    owner: dict[str, str] = {}
    for binding, default in APP_KEYS.items():
        for key in normalised.get(binding, default).split(","):
            if key in owner:
                rebound = binding if binding in normalised else owner[key]
                other = owner[key] if rebound == binding else binding
                return normalised, (rebound, f"{key!r} is already the key of {other!r}")
            owner[key] = binding
    return normalised, None
