"""The Tour de France's time-limit rules reproduce its published cuts from the rules alone: the
bands and their edges, truncation, time trials' fixed percentage, the organiser's extra points.
"""

from __future__ import annotations

import pytest

from race.timelimit.rules import (
    Rounding,
    cut_seconds,
    percent_for,
    stage_class,
    time_limit,
    winner_speed_kmh,
)
from tests.support.rule_sets import TDF, clock, hms

# --- Tour de France: published cuts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("coefficient", "winner", "distance_km", "speed", "percent", "cut"),
    [
        pytest.param(4, "4:25:27", 158.5, 35.8, 13, "34:30", id="2018-st10-Grand-Bornand"),
        pytest.param(5, "4:26:43", 144.9, 32.6, 14, "37:20", id="2021-st9-Tignes"),
        pytest.param(4, "5:17:43", 198.9, 37.6, 15, "47:39", id="2021-st11-Ventoux"),
    ],
)
def test_tdf_published_cuts(
    coefficient: int, winner: str, distance_km: float, speed: float, percent: float, cut: str
) -> None:
    result = time_limit(TDF, coefficient, hms(winner), distance_km)
    assert round(result.winner_speed_kmh, 1) == speed
    assert result.percent == percent
    assert clock(result.cut_s) == cut
    assert result.limit_s == hms(winner) + hms(cut)


def test_2018_st10_is_truncated_not_rounded() -> None:
    # 4:25:27 x 13 % = 2070.51 s: the published 34:30 drops the .51 s.
    assert cut_seconds(TDF, hms("4:25:27"), 13) == 2070.0


def test_2021_st9_cavendish_inside_by_1_31() -> None:
    cut = time_limit(TDF, 5, hms("4:26:43"), 144.9).cut_s
    assert cut - hms("35:49") == 91


def test_2024_st12_percent() -> None:
    # Girmay, 4:17:15 over 203.6 km = 47.487 km/h (47.49 published): coefficient 1, 46-48 km/h.
    assert percent_for(TDF, 1, 47.49) == 10
    result = time_limit(TDF, 1, hms("4:17:15"), 203.6)
    assert round(result.winner_speed_kmh, 2) == 47.49
    assert result.percent == 10


def test_2024_st12_published_cut_implies_a_winner_time() -> None:
    # Under truncation the published 25:44 needs a winner's time of 4:17:20 to 4:17:29.
    implied = [w for w in range(hms("4:16:00"), hms("4:19:00")) if cut_seconds(TDF, w, 10) == 1544]
    assert (clock(implied[0]), clock(implied[-1])) == ("4:17:20", "4:17:29")
    assert len(implied) == 10


def test_2024_st12_official_time_is_one_second_short_of_the_published_cut() -> None:
    # Known discrepancy (see tdf.toml): 4:17:15 x 10 % = 1543.5 s, truncated 25:43; published 25:44.
    assert clock(time_limit(TDF, 1, hms("4:17:15"), 203.6).cut_s) == "25:43"


def test_no_single_rounding_fits_2018_and_2024() -> None:
    nearest = TDF.model_copy(update={"rounding": Rounding(mode="nearest", unit_s=1)})
    assert clock(cut_seconds(nearest, hms("4:17:15"), 10)) == "25:44"  # fits 2024...
    assert clock(cut_seconds(nearest, hms("4:25:27"), 13)) == "34:31"  # ...but not 2018


def test_2023_st1() -> None:
    assert percent_for(TDF, 3, 41.55) == 17


# --- Tour de France: band edges -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("speed", "percent"),
    [
        (0.0, 4),
        (36.0, 4),
        (36.01, 5),
        (38.0, 5),
        (38.01, 6),
        (40.0, 6),
        (40.01, 7),
        (42.0, 7),
        (44.0, 8),
        (46.0, 9),
        (48.0, 10),
        (48.01, 11),
        (50.0, 11),
        (50.01, 12),
        (75.0, 12),
    ],
)
def test_coefficient_1_edges(speed: float, percent: float) -> None:
    assert percent_for(TDF, 1, speed) == percent


@pytest.mark.parametrize(
    ("coefficient", "speed", "percent"),
    [
        (2, 35.0, 6),
        (2, 35.01, 7),
        (2, 40.5, 12),
        (2, 46.0, 17),
        (2, 46.01, 18),
        (3, 35.0, 10),
        (3, 35.01, 11),
        (3, 44.0, 19),
        (3, 44.01, 20),
        (4, 30.0, 7),
        (4, 30.01, 8),
        (4, 35.8, 13),
        (4, 40.0, 17),
        (4, 40.01, 18),
        (5, 29.0, 10),
        (5, 29.01, 11),
        (5, 32.6, 14),
        (5, 36.0, 17),
        (5, 36.01, 18),
    ],
)
def test_coefficients_2_to_5_edges(coefficient: int, speed: float, percent: float) -> None:
    assert percent_for(TDF, coefficient, speed) == percent


@pytest.mark.parametrize(
    ("winner_s", "distance_km", "edge"),
    [(10080, 128.8, 46), (10620, 129.8, 44), (18000, 180.0, 36)],
)
def test_speed_exactly_at_an_edge_despite_float_noise(
    winner_s: int, distance_km: float, edge: int
) -> None:
    # 128.8 km in 2:48:00 is 46 km/h, computed as 46.00000000000001: still the "<= 46" band.
    speed = winner_speed_kmh(distance_km, winner_s)
    assert speed == pytest.approx(edge, abs=1e-9)
    assert percent_for(TDF, 1, speed) == percent_for(TDF, 1, float(edge))
    assert percent_for(TDF, 1, speed) < percent_for(TDF, 1, edge + 0.001)


def test_coefficient_lookup_accepts_int_and_str() -> None:
    assert percent_for(TDF, "4", 35.8) == percent_for(TDF, 4, 35.8) == 13
    assert stage_class(TDF, 6).fixed_percent == 33


def test_unknown_coefficient_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown coefficient '7'.*known: 1, 2, 3, 4, 5, 6"):
        percent_for(TDF, 7, 40.0)


# --- Time trials and the organiser's extra points ------------------------------------------------


def test_itt_fixed_percentage_default_and_override() -> None:
    assert percent_for(TDF, 6, 50.0) == 33  # 2023's figure, the file's default
    assert percent_for(TDF, 6, 50.0, fixed_percent=25) == 25  # 2025's first time trial
    result = time_limit(TDF, 6, hms("1:00:00"), 50.0)
    assert (result.percent, clock(result.cut_s)) == (33, "19:48")
    result = time_limit(TDF, 6, hms("1:00:00"), 50.0, fixed_percent=25)
    assert (result.percent, clock(result.cut_s)) == (25, "15:00")


def test_fixed_percent_does_not_touch_a_banded_stage() -> None:
    assert percent_for(TDF, 1, 47.49, fixed_percent=25) == 10


def test_extra_points_2024_st15() -> None:
    # 2024 stage 15: the organiser raised 15 % to 17 %. Coefficient 4 at 37.5 km/h gives 15 %.
    winner = hms("5:00:00")
    result = time_limit(TDF, 4, winner, 37.5 * 5, extra_points=2)
    assert (result.base_percent, result.extra_points, result.percent) == (15, 2, 17)
    assert result.cut_s == cut_seconds(TDF, winner, 17) == hms("51:00")
    assert cut_seconds(TDF, winner, 15, 2) == cut_seconds(TDF, winner, 17)


def test_cut_is_exact_where_binary_floats_are_not() -> None:
    # 14000 * 1.13 - 14000 == 1819.999... in floats; the cut must be 1820, not 1819.
    assert cut_seconds(TDF, 14000, 13) == 1820
    assert cut_seconds(TDF, 14000, 10, 3) == 1820


def test_invalid_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="winner_time_s"):
        cut_seconds(TDF, 0, 10)
    with pytest.raises(ValueError, match="percent"):
        cut_seconds(TDF, 3600, 10, -11)
    with pytest.raises(ValueError, match="winner_speed_kmh"):
        percent_for(TDF, 1, float("nan"))
    with pytest.raises(ValueError, match="distance_km"):
        time_limit(TDF, 1, 3600, 0)
