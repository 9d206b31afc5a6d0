"""The docstrings written under a class's fields, read from its source.

The options' field docstrings are their documentation for the reader of the code; pydantic
is not asked to read them at import (`use_attribute_docstrings` parses each class's source:
a twentieth of a second at every start), so the tests read them here.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from pydantic import BaseModel


def field_docstrings(cls: type) -> dict[str, str]:
    """Each annotated field of `cls`'s own body that a string literal follows, with it."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for field, after in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[field.target.id] = inspect.cleandoc(after.value.value)
    return docs


def undocumented_fields(model: type[BaseModel]) -> list[str]:
    """The fields of `model` (its own and inherited) that no docstring follows."""
    documented: dict[str, str] = {}
    for cls in model.__mro__:
        if issubclass(cls, BaseModel) and cls is not BaseModel:
            documented = field_docstrings(cls) | documented
    return [name for name in model.model_fields if not documented.get(name)]
