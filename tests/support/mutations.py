"""Hostile frames for the fuzz suite (`tests/feeds/test_fuzz.py`, `bench/fuzz.py`), and whole
parsed streams changed the way a real feed changed them (`without_distances`).

A mutation takes one frame as it travels (the JSON text of a Race Center update, a line of an
Ardoise recording, a poll document of `ardoise serve`) and returns what is sent in its place:
usually one damaged text, sometimes two (a duplicate, an old frame re-sent after it). Each kind
is what a broken or hostile feed really sends: fields deleted or null, values of another type,
numbers JSON cannot hold in a float, control characters and terminal escapes in strings, bytes
that are not UTF-8, a line cut short, lists and frames out of order, entries twice.

Everything is drawn from the `random.Random` passed in, so a seed replays the same damage.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from race.models import FeedEvent, Telemetry

Json = Any
Path = tuple[str | int, ...]

SPECIAL_NUMBERS: Final = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e308",
    "-1e308",
    "1e309",
    "-0",
    "-0.0",
    "1e-400",
    "1" + "0" * 30,
    "-" + "9" * 400,
    "9" * 5000,
)
"""Number tokens a JSON parser may accept and a float cannot hold, or only just: NaN and the
infinities (Python's and pydantic's parsers read them), overflows to infinity, a negative
zero, an underflow to zero, integers past 64 bits and past Python's 4,300-digit limit."""

HOSTILE_STRINGS: Final = (
    "\x1b]0;pwned\x07title",  # sets the terminal's title
    "\x1b[?1049l",  # leaves the alternate screen
    "\x1b[2J",  # clears the screen
    "\x9b2J",  # the same as a C1 control
    "\x00",
    "\x07\x08\x7f",
    "line\r\nbreak\ttab",
    "\u202eevil",  # right-to-left override
    "[b]markup[/b] [link=x]",
    "\ud800",  # a lone surrogate: valid as a JSON escape, not as text
    "x" * 10_000,
)
"""Strings a feed must not be able to turn into terminal commands, markup or a crash."""

NAME_STRINGS: Final = tuple(s for s in HOSTILE_STRINGS if s != "\ud800")
"""The hostile strings put into names. Not the lone surrogate: Ardoise's own formats reject
the whole event for it (one event lost, that is all), and a start list rejected would test
nothing else; the Race Center's REST records, read by `json`, let it through: see
`tests/feeds/test_fuzz.py`."""

INVALID_UTF8: Final = (b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80")
"""A stray byte, a cut sequence, an overlong slash, an encoded surrogate, a lone continuation."""

_MARK: Final = "\ue000fuzz\ue001"
"""Placeholder written through `json.dumps`, then replaced by raw bytes (a number token or
invalid UTF-8) that `json.dumps` cannot produce."""


@dataclass(frozen=True)
class Mutated:
    """What is sent in place of a frame, and what was done to it."""

    kind: str
    texts: tuple[bytes, ...]
    what: str


Mutation = Callable[[random.Random, Json, bytes | None], Mutated]
"""(rng, the frame parsed, the frame sent before it or None) -> the frames sent instead."""


def dump(value: Json) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "backslashreplace"
    )


def _dump_marked(value: Json, raw: bytes) -> bytes:
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    marked = json.dumps(_MARK, ensure_ascii=True)
    if marked in text:  # The mark was a value: replace the quoted string, token and all.
        return text.encode("ascii").replace(marked.encode("ascii"), raw, 1)
    inner = marked[1:-1].encode("ascii")  # The mark is inside a longer string.
    return text.encode("ascii").replace(inner, raw, 1)


def paths(value: Json, prefix: Path = ()) -> Iterator[Path]:
    """Every path in a JSON value, containers and leaves, the root (`()`) excepted."""
    if isinstance(value, dict):
        items: Iterator[tuple[str | int, Json]] = iter(value.items())
    elif isinstance(value, list):
        items = iter(enumerate(value))
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def _get(value: Json, path: Path) -> Json:
    for key in path:
        value = value[key]
    return value


def _pick(
    rng: random.Random, value: Json, accept: Callable[[Json], bool] | None = None
) -> Path | None:
    found = [p for p in paths(value) if accept is None or accept(_get(value, p))]
    return rng.choice(found) if found else None


def _copy(value: Json) -> Json:
    return json.loads(json.dumps(value))


def _same_key(rng: random.Random, value: Json) -> list[Path]:
    """Either one random path, or every path ending with one random key (a field of every
    rider at once), so a frame can be damaged in one place or across the field."""
    everything = list(paths(value))
    if not everything:
        return []
    one = rng.choice(everything)
    if rng.random() < 0.5:
        return [one]
    return [p for p in everything if p[-1] == one[-1] and len(p) == len(one)]


def _set(value: Json, path: Path, new: Json) -> None:
    _get(value, path[:-1])[path[-1]] = new


def delete(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    value = _copy(frame)
    targets = _same_key(rng, value)
    for path in sorted(targets, reverse=True):  # Later list items first: indices stay right.
        del _get(value, path[:-1])[path[-1]]
    return Mutated("delete", (dump(value),), _name(targets))


def null(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    value = _copy(frame)
    targets = [p for p in _same_key(rng, value) if _get(value, p) is not None]
    if not targets:  # Only nulls drawn: null something that is not.
        targets = [p for p in [_pick(rng, value, lambda v: v is not None)] if p is not None]
    for path in targets:
        _set(value, path, None)
    return Mutated("null", (dump(value),), _name(targets))


def _other_type(rng: random.Random, old: Json) -> Json:
    choices: list[Json] = ["", "x", True, False, 0, 1, -1, 2.5, [], {}, [old], {"v": old}]
    if isinstance(old, int | float) and not isinstance(old, bool):
        choices += [str(old), f" {old} ", f"{old}km"]  # A number sent as text.
    if isinstance(old, str):
        choices += [len(old), [old]]
    same = [c for c in choices if type(c) is not type(old)]
    return rng.choice(same)


def swap(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    value = _copy(frame)
    targets = _same_key(rng, value)
    new: Json = None
    for path in targets:
        new = _other_type(rng, _get(value, path))
        _set(value, path, new)
    return Mutated("swap", (dump(value),), f"{_name(targets)} = {_short(new)}")


def special_number(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    value = _copy(frame)
    path = _pick(rng, value, lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    if path is None:
        path = _pick(rng, value)
    token = rng.choice(SPECIAL_NUMBERS)
    if path is None:
        return Mutated("special-number", (token.encode(),), f"the frame = {token[:12]}")
    _set(value, path, _MARK)
    return Mutated(
        "special-number", (_dump_marked(value, token.encode()),), f"{path} = {token[:12]}"
    )


def control(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    value = _copy(frame)
    hostile = rng.choice(HOSTILE_STRINGS)
    strings = [p for p in paths(value) if isinstance(_get(value, p), str)]
    if strings and rng.random() < 0.8:  # Into a string the feed sends: a name, a status...
        path = rng.choice(strings)
        old = _get(value, path)
        at = rng.randint(0, len(old))
        _set(value, path, old[:at] + hostile + old[at:])
    else:  # Or in place of any value.
        path = _pick(rng, value) or ()
        if not path:
            return Mutated("control", (dump(hostile),), f"the frame = {_short(hostile)}")
        _set(value, path, hostile)
    return Mutated("control", (dump(value),), f"{path} += {_short(hostile)}")


FREE_TEXT: Final = frozenset({"race", "start", "finish", "name", "first_name", "last_name", "code"})
"""The keys of a start list whose strings are free text (the others are one of a few words)."""


def hostile_names(rng: random.Random, frame: Json, count: int = 8) -> Mutated:
    """Hostile strings inserted into `count` of the frame's strings: for a start list, whose
    names, teams and cities stay on screen for the whole stage."""
    value = _copy(frame)
    strings = [p for p in paths(value) if p[-1] in FREE_TEXT and isinstance(_get(value, p), str)]
    chosen = rng.sample(strings, k=min(count, len(strings)))
    chosen += [p for p in strings if "stage" in p and p not in chosen]  # Always on screen.
    for path in chosen:
        _set(value, path, _get(value, path) + rng.choice(NAME_STRINGS))
    return Mutated("control", (dump(value),), f"{_name(chosen)} += hostile strings")


def invalid_utf8(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    raw = rng.choice(INVALID_UTF8)
    value = _copy(frame)
    strings = [p for p in paths(value) if isinstance(_get(value, p), str)]
    if strings and rng.random() < 0.7:  # Inside a string, where a lenient reader would look.
        path = rng.choice(strings)
        _set(value, path, _get(value, path) + _MARK)
        return Mutated("invalid-utf8", (_dump_marked(value, raw),), f"{path} += {raw!r}")
    text = dump(frame)
    at = rng.randint(0, len(text))
    return Mutated("invalid-utf8", (text[:at] + raw + text[at:],), f"byte {at} += {raw!r}")


def truncate(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    text = dump(frame)
    at = rng.randint(0, max(0, len(text) - 1))
    return Mutated("truncate", (text[:at],), f"cut at byte {at} of {len(text)}")


def reorder(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    if previous is not None and rng.random() < 0.4:  # An old frame arrives after this one.
        return Mutated("reorder", (dump(frame), previous), "the previous frame sent again after")
    value = _copy(frame)
    lists = [p for p in paths(value) if isinstance(_get(value, p), list | dict)]
    path = rng.choice([p for p in lists if len(_get(value, p)) > 1] or [()])
    container = _get(value, path)
    items = list(container.items()) if isinstance(container, dict) else list(container)
    shuffled = rng.sample(items, k=len(items))
    if shuffled == items:  # Shuffled into the same order: out of order all the same.
        shuffled.reverse()
    new = dict(shuffled) if isinstance(container, dict) else shuffled
    if path:
        _set(value, path, new)
    else:
        value = new
    return Mutated("reorder", (dump(value),), f"{path} shuffled")


def duplicate(rng: random.Random, frame: Json, previous: bytes | None) -> Mutated:
    text = dump(frame)
    draw = rng.random()
    if draw < 0.3:
        return Mutated("duplicate", (text, text), "the frame sent twice")
    value = _copy(frame)
    if draw < 0.65:  # A list entry twice (the same rider twice), the copy changed or not.
        lists = [p for p in paths(value) if isinstance(_get(value, p), list) and _get(value, p)]
        if lists:
            path = rng.choice(lists)
            items = _get(value, path)
            copy = _copy(rng.choice(items))
            if isinstance(copy, dict) and copy and rng.random() < 0.5:
                key = rng.choice(list(copy))
                copy[key] = _other_type(rng, copy[key])
            items.insert(rng.randint(0, len(items)), copy)
            return Mutated("duplicate", (dump(value),), f"{path} entry twice")
    # A key twice in one object, the second with another value: parsers disagree on which wins.
    objects = [p for p in paths(value) if isinstance(_get(value, p), dict) and _get(value, p)]
    if isinstance(value, dict) and value:
        objects.append(())
    if not objects:
        return Mutated("duplicate", (text, text), "the frame sent twice")
    path = rng.choice(objects)
    target = _get(value, path)
    key = rng.choice(list(target))
    first = json.dumps(target[key], ensure_ascii=True)
    second = json.dumps(_other_type(rng, target[key]), ensure_ascii=True)
    target[key] = _MARK  # `"key":first` is written in place of the mark, then `,"key":second`.
    text = _dump_marked(value, f"{first},{json.dumps(key)}:{second}".encode())
    return Mutated("duplicate", (text,), f"{(*path, key)} twice")


MUTATIONS: Final[dict[str, Mutation]] = {
    "delete": delete,
    "null": null,
    "swap": swap,
    "special-number": special_number,
    "control": control,
    "invalid-utf8": invalid_utf8,
    "truncate": truncate,
    "reorder": reorder,
    "duplicate": duplicate,
}
"""Every kind of damage, by name."""


def _name(targets: list[Path]) -> str:
    if not targets:
        return "nothing"
    if len(targets) == 1:
        return str(targets[0])
    return f"{targets[0]} and {len(targets) - 1} alike"


def _short(value: Json) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- Whole streams ------------------------------------------------------------------------------

GPS_ONLY_FIELDS: Final = frozenset({"km_to_finish", "feed_gap_s"})
"""What the Race Center left out for part of 2025 (`kmToFinish`, `secToFirstRider`): positions
and speeds came, distances and gaps did not."""


def without_distances(
    events: Iterable[FeedEvent], fields: frozenset[str] = GPS_ONLY_FIELDS
) -> Iterator[FeedEvent]:
    """The parsed stream as a feed without distances sends it: every telemetry fix without
    `fields` (by default its km to go and the feed's own gap), everything else untouched."""
    cleared = dict.fromkeys(fields)
    for event in events:
        if isinstance(event, Telemetry):
            riders = tuple(fix.model_copy(update=cleared) for fix in event.riders)
            yield event.model_copy(update={"riders": riders})
        else:
            yield event
