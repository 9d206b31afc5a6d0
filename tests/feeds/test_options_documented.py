"""Every option a user can set in `[feed.<adapter>]` or a quirk's table has a docstring."""

from __future__ import annotations

from typing import get_args

import pytest

from feeds.quirks import Quirk
from feeds.registry import adapter_class, installed_adapters
from tests.support.docstrings import undocumented_fields


@pytest.mark.parametrize("name", sorted(installed_adapters()))
def test_adapter_options_are_documented(name: str) -> None:
    assert undocumented_fields(adapter_class(name).Options) == []


@pytest.mark.parametrize("quirk", get_args(get_args(Quirk)[0]), ids=lambda q: q.__name__)
def test_quirk_options_are_documented(quirk: type) -> None:
    # `kind` names the quirk itself: `Quirk` documents the kinds.
    assert [name for name in undocumented_fields(quirk) if name != "kind"] == []
