"""`ARDOISE_...` environment variables as a configuration layer.

`ARDOISE_FEED__SPEED=0` sets `[feed] speed`: `__` separates levels, names are case-insensitive.
A scalar is taken as written (validation converts it); a list or a table is written in JSON
(`ARDOISE_TEAM__MARKED=[11, 14]`), and a value that is not JSON names its variable. A variable
that names no section is not fatal (a shell may hold other ARDOISE_ variables): the caller
warns about it.
"""

from __future__ import annotations

import json
import types
from collections.abc import Collection, Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

ENV_PREFIX = "ARDOISE_"

MAX_NESTING = 20
"""Deepest nesting of tables and lists read from a file or a variable. The configuration's
deepest key (a quirk's option) is 5 levels down; past this the input is broken or hostile, and
parsing, merging and validation all recurse."""


class BadVariable(ValueError):
    """An environment variable whose value cannot be used."""

    def __init__(self, variable: str, key: str, reason: str) -> None:
        self.variable = variable
        self.key = key
        self.reason = reason
        super().__init__(f"{variable}: {key}: {reason}")


def setting_variables(environ: Mapping[str, str]) -> list[str]:
    """Names of the variables with Ardoise's prefix, whole sections before their keys."""
    names = [name for name in environ if name.upper().startswith(ENV_PREFIX)]
    return sorted(names, key=lambda name: (name.count("__"), name))


def read_variable(
    name: str, value: str, model: type[BaseModel]
) -> tuple[tuple[str, ...], Any] | None:
    """The dotted key `name` sets and its value, or None when it names no section of `model`.

    Raises:
        BadVariable: a list or table that is not JSON, or is nested too deep.
    """
    parts = _key_parts(name, model)
    if parts is None:
        return None
    key = ".".join(parts)
    structured = _expects_structure(model, parts)
    if structured is False:
        return parts, value
    try:
        decoded = json.loads(value)
    except RecursionError:
        raise BadVariable(name, key, f"nested deeper than {MAX_NESTING} levels") from None
    except ValueError:
        if structured is None:
            return parts, value  # an adapter's option of unknown type: a string
        reason = f"not JSON (got {_shorten(value)!r}); {_example(model, parts)}"
        raise BadVariable(name, key, reason) from None
    if structured is None and not isinstance(decoded, list | dict):
        return parts, value
    too_deep = nesting_error(decoded)
    if too_deep:
        raise BadVariable(name, f"{key}.{too_deep[0]}", too_deep[1])
    return parts, decoded


def unknown_variables(
    environ: Mapping[str, str], model: type[BaseModel], expected: Collection[str]
) -> list[str]:
    """Variables with Ardoise's prefix that name no section and are not `expected` (tokens)."""
    wanted = {name.upper() for name in expected}
    return [
        name
        for name in setting_variables(environ)
        if name.upper() not in wanted and _key_parts(name, model) is None
    ]


def _key_parts(name: str, model: type[BaseModel]) -> tuple[str, ...] | None:
    """`ARDOISE_FEED__SPEED` → ("feed", "speed"); None when it names no section of `model`."""
    parts = tuple(name[len(ENV_PREFIX) :].lower().split("__"))
    return parts if all(parts) and parts[0] in model.model_fields else None


def nesting_error(data: Any, limit: int = MAX_NESTING) -> tuple[str, str] | None:
    """Where `data` goes deeper than `limit` (the start of the path) and why, or None.

    Iterative: the data may be deeper than Python's recursion limit.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        item, path = stack.pop()
        if len(path) > limit:
            return ".".join(path[:3]) + "...", f"nested deeper than {limit} levels"
        if isinstance(item, dict):
            stack.extend((value, (*path, str(key))) for key, value in item.items())
        elif isinstance(item, list):
            stack.extend((value, (*path, f"[{index}]")) for index, value in enumerate(item))
    return None


def _expects_structure(model: type[BaseModel], parts: tuple[str, ...]) -> bool | None:
    """Whether the key at `parts` holds a list or table (True), a scalar (False), or is of a type
    not known here (None: an adapter's options, validated later by the adapter)."""
    current: type[BaseModel] = model
    for index, part in enumerate(parts):
        field = current.model_fields.get(part)
        if field is None:
            return None
        annotation = _without_none(field.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
            continue
        if index < len(parts) - 1:
            return None  # a key under a scalar or a dict: validation names the problem
        origin = get_origin(annotation) or annotation
        if origin is Any:
            return None
        return isinstance(origin, type) and issubclass(
            origin, list | tuple | dict | set | frozenset
        )
    return True


def _without_none(annotation: Any) -> Any:
    """`X | None` → `X`."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _example(model: type[BaseModel], parts: tuple[str, ...]) -> str:
    field_type = _type_at(model, parts)
    if get_origin(field_type) in (list, tuple) or field_type in (list, tuple):
        return "a list is written in JSON, e.g. [11, 14]"
    return 'a table is written in JSON, e.g. {"key": "value"}'


def _type_at(model: type[BaseModel], parts: tuple[str, ...]) -> Any:
    current: Any = model
    for part in parts:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        current = _without_none(field.annotation) if field else None
    return current


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
