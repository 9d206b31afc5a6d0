"""Snapshots of the gap chart on its key, on the mountain stage at 20 km to go (breaks, catches,
the cut), at 80x24 and 160x48 in both themes. Update with
`pytest tests/tui/test_gapchart_snapshots.py -n0 --snapshot-update` after looking at the SVGs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.app import mountain_app
from tui.screens.gapchart import GapChartScreen

pytestmark = pytest.mark.slow

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("theme", ["ardoise", "sunlight"])
def test_the_gap_chart(snap_compare: SnapCompare, theme: str, size: tuple[int, int]) -> None:
    app, open_chart = mountain_app(theme, keys=("g",), screen=GapChartScreen)
    assert snap_compare(app, terminal_size=size, run_before=open_chart)
