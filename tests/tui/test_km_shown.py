"""A distance is written one way: the header's km to go and the head group's agree."""

from __future__ import annotations

import pytest

from race.wording import km
from tests.support.stages import flat_at
from tui.panels.gaps import group_line
from tui.panels.group import detail_title
from tui.panels.header import race_status_line
from tui.panels.view import ViewContext


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.852, "0.9"), (0.85, "0.9"), (0.8504, "0.9"), (0.844, "0.8"), (12.35, "12.4"), (0.0, "0.0")],
)
def test_a_distance_is_read_to_10_m_then_to_the_tenth_half_up(value: float, text: str) -> None:
    assert km(value) == text


def test_the_header_and_the_head_group_say_the_same_km() -> None:
    """The situation gives the head's km as measured and its group's to 10 m (0.852 and 0.85):
    both read 0.9 km to go, where rounding each at once gave 0.9 and 0.8."""
    _, situation = flat_at(1.0)
    head = situation.groups[0].model_copy(update={"km_to_finish": 0.85})
    situation = situation.model_copy(
        update={"head_km_to_finish": 0.852, "groups": (head, *situation.groups[1:])}
    )
    header = race_status_line(situation, ViewContext(width=160)).plain
    row = group_line(head, situation.roster, None, wide=True).plain
    assert "0.9 km to go" in header
    assert "   0.9 km" in row
    assert "0.9 km to go" in detail_title(head)
