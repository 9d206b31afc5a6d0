"""Text from a feed made safe to show: no byte of it can drive the user's terminal.

A feed is untrusted input. A rider named `"\\x1b]0;pwned\\x07"` would set the terminal's title,
`"\\x1b[?1049l"` leave the alternate screen, `"\\x1b[2J"` clear it, wherever the name is shown:
the screen, a log, `ardoise situation`'s text, a recording replayed later. Every string a feed
gives is cleaned once, where its format is read into `race.models` (the Race Center's
`start_list`, Ardoise's own `RecordedEvent`, the network adapters' statuses), with `clean_text`
for one string and `clean_event` for a whole event.

What is replaced, in single-line text:

- whitespace controls (tab, newline, carriage return, vertical tab, form feed) and the Unicode
  line and paragraph separators: by a space, so words stay apart, the text stays on one line
  and a carriage return cannot overwrite what was written before it;
- a whole escape sequence (CSI `ESC [ ... final`, the string sequences OSC `ESC ] ...`, DCS,
  SOS, PM and APC up to their terminator BEL or `ESC \\`, or to the end of the text when they
  have none, as a terminal would read them; any other `ESC x`): by one placeholder;
- any other C0 or C1 control character, DEL, a lone surrogate (it cannot be encoded for the
  terminal at all) and the bidirectional overrides and isolates (U+202A-202E, U+2066-2069,
  which can make a name read as another): by the placeholder each.

The placeholder is U+FFFD, the replacement character, rather than nothing or "?": it shows that
the feed sent something that was not text (dropped silently, a hidden sequence would leave no
trace; "?" is ordinary punctuation), a name made only of a sequence does not become empty, and it
is what a terminal itself shows for bytes it cannot read. Cleaning is idempotent.
"""

from __future__ import annotations

import re
from typing import Final, TypeVar

from pydantic import BaseModel, ValidationError

from race.models import FeedEvent, Telemetry

PLACEHOLDER: Final = "\ufffd"
"""What a control character or an escape sequence becomes (see the module docstring)."""

_UNSAFE = re.compile(
    r"(?P<space>[\t\n\r\x0b\x0c\u2028\u2029])"
    r"|\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI: parameters, intermediates, final.
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings.
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # Any other escape: intermediates, final.
    r"|[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"  # Lone ESC included.
)
"""What `clean_text` replaces; the first alternative (whitespace) becomes a space."""

ModelT = TypeVar("ModelT", bound=BaseModel)


def _replacement(match: re.Match[str]) -> str:
    return " " if match.group("space") is not None else PLACEHOLDER


def clean_text(text: str) -> str:
    """`text` without control characters, escape sequences or bidi overrides (see the module
    docstring); the same object when it has none, which is almost always."""
    if text.isprintable():  # Fast path: no control or format character at all.
        return text
    return _UNSAFE.sub(_replacement, text)


def clean_model(model: ModelT) -> ModelT:
    """`model` with every string in it cleaned, through nested models and tuples of them; the
    same object when nothing needed cleaning."""
    changes: dict[str, object] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        cleaned = _clean_value(value)
        if cleaned is not value:
            changes[name] = cleaned
    return model.model_copy(update=changes) if changes else model


def clean_event(event: FeedEvent) -> FeedEvent:
    """A feed event with every string in it cleaned (see `clean_model`)."""
    if isinstance(event, Telemetry):
        return event  # Numbers, a bib and a jersey checked against its names: no free text.
    return clean_model(event)


def _clean_value(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, BaseModel):
        return clean_model(value)
    if isinstance(value, tuple):
        items = tuple(_clean_value(item) for item in value)
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value
    return value


def error_reason(error: ValidationError) -> str:
    """A validation error said in one clean line: where and what, for its first error only
    (what is wrong first; the rest usually follows from it). It may quote the feed's text."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return clean_text(f"{where}: {first['msg']}" if where else first["msg"])
