"""The Giro d'Italia's time-limit rules: its categories' bands, and the limit (not the margin)
rounded up to the next minute.
"""

from __future__ import annotations

import pytest

from race.timelimit.rules import percent_for, time_limit
from tests.support.rule_sets import GIRO, clock, hms


@pytest.mark.parametrize(
    ("category", "speed", "percent"),
    [
        ("A", 40.0, 7),
        ("A", 40.01, 8),
        ("A", 45.0, 8),
        ("A", 45.01, 10),
        ("B", 37.0, 9),
        ("B", 37.01, 10),
        ("B", 41.0, 10),
        ("B", 41.01, 11),
        ("C", 35.0, 11),
        ("C", 35.01, 12),
        ("C", 39.0, 12),
        ("C", 39.01, 13),
        ("D", 30.0, 16),
        ("D", 30.01, 17),
        ("D", 34.0, 17),
        ("D", 34.01, 18),
        ("D-short", 30.0, 19),
        ("D-short", 34.0, 21),
        ("D-short", 34.01, 22),
        ("E", 52.0, 30),
        ("b", 38.0, 10),  # categories are matched ignoring case
    ],
)
def test_giro_categories(category: str, speed: float, percent: float) -> None:
    assert percent_for(GIRO, category, speed) == percent


def test_giro_limit_rounded_up_to_the_next_minute() -> None:
    # Category A, 4:00:00 at 39 km/h: 7 % -> limit 4:16:48, rounded up to 4:17:00.
    result = time_limit(GIRO, "A", hms("4:00:00"), 156.0)
    assert result.percent == 7
    assert clock(result.limit_s) == "4:17:00"
    assert clock(result.cut_s) == "17:00"


def test_giro_rounds_the_limit_not_the_margin() -> None:
    # Category D, 4:10:30 at 28 km/h: 16 % -> limit 4:50:34.8 -> 4:51:00, i.e. 40:30 behind.
    result = time_limit(GIRO, "D", hms("4:10:30"), 28.0 * hms("4:10:30") / 3600)
    assert result.percent == 16
    assert clock(result.limit_s) == "4:51:00"
    assert clock(result.cut_s) == "40:30"


def test_giro_limit_already_on_a_minute_is_kept() -> None:
    # Category C, 5:00:00 at 30 km/h: 11 % = 33:00 exactly -> 5:33:00, no extra minute.
    assert clock(time_limit(GIRO, "C", hms("5:00:00"), 150.0).limit_s) == "5:33:00"


def test_giro_time_trial() -> None:
    result = time_limit(GIRO, "E", hms("0:40:00"), 33.0)
    assert (result.percent, clock(result.cut_s)) == (30, "12:00")
