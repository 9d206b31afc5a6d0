"""Snapshots of the stage profile: its own screen at 80 columns, the race screen's strip at 160,
on the mountain stage at 20 km to go, in both themes. Update with
`pytest tests/tui/test_profile_snapshots.py -n0 --snapshot-update` after looking at the SVGs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.app import mountain_app
from tui.screens.profile import ProfileScreen

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_profile_on_its_key_at_80_columns(snap_compare: SnapCompare, theme: str) -> None:
    app, until_held = mountain_app(theme, keys=("v",), screen=ProfileScreen)
    assert snap_compare(app, terminal_size=(80, 24), run_before=until_held)


@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_profile_strip_at_160_columns(snap_compare: SnapCompare, theme: str) -> None:
    app, until_held = mountain_app(theme)
    assert snap_compare(app, terminal_size=(160, 48), run_before=until_held)
