"""The time-limit rule files reproduce published cuts from the rules alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import race
from race.timelimit.rules import (
    CutResult,
    Rounding,
    RuleSet,
    assumed_class,
    cut_seconds,
    parse_rule_set,
    percent_for,
    stage_class,
    time_limit,
    winner_speed_kmh,
)

RULESETS = Path(race.__file__).parent / "timelimit" / "rulesets"


def load(name: str) -> RuleSet:
    return parse_rule_set((RULESETS / f"{name}.toml").read_text(encoding="utf-8"))


TDF = load("tdf")
GIRO = load("giro")
ALL_RULES = (TDF, GIRO)


def hms(text: str) -> int:
    """ "4:25:27" or "34:30" -> seconds."""
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def test_bundled_rule_sets_parse() -> None:
    assert TDF.name == "Tour de France"
    assert list(TDF.coefficients) == ["1", "2", "3", "4", "5", "6"]
    assert TDF.rounding == Rounding(mode="down", unit_s=1, applies_to="margin")
    assert GIRO.name == "Giro d'Italia"
    assert list(GIRO.coefficients) == ["A", "B", "C", "D", "D-short", "E"]
    assert GIRO.rounding == Rounding(mode="up", unit_s=60, applies_to="limit")


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


# --- Giro d'Italia --------------------------------------------------------------------------------


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


# --- Properties ----------------------------------------------------------------------------------

rule_and_class = st.sampled_from(
    [(rules, key) for rules in ALL_RULES for key in rules.coefficients]
)
speeds = st.floats(min_value=0.0, max_value=90.0, allow_nan=False)
winner_times = st.floats(min_value=600.0, max_value=40_000.0, allow_nan=False)


@given(rule_and_class, speeds, speeds)
def test_percent_never_decreases_with_speed(pair: tuple[RuleSet, str], a: float, b: float) -> None:
    rules, key = pair
    slow, fast = sorted((a, b))
    assert percent_for(rules, key, slow) <= percent_for(rules, key, fast)


@given(st.sampled_from(list(TDF.coefficients)), speeds, winner_times, winner_times)
def test_tour_cut_positive_and_monotone_in_winner_time(
    key: str, speed: float, a: float, b: float
) -> None:
    percent = percent_for(TDF, key, speed)
    short, long = sorted((a, b))
    assert 0 < cut_seconds(TDF, short, percent) <= cut_seconds(TDF, long, percent)


@given(rule_and_class, speeds, winner_times, winner_times)
def test_limit_monotone_and_cut_within_one_unit(
    pair: tuple[RuleSet, str], speed: float, a: float, b: float
) -> None:
    # The Giro rounds the limit up to the minute, so its margin is a saw-tooth in the winner's
    # time; the limit itself never decreases, and the cut stays within one unit of the exact one.
    rules, key = pair
    percent = percent_for(rules, key, speed)
    short, long = sorted((a, b))
    cut_short = cut_seconds(rules, short, percent)
    assert short + cut_short <= long + cut_seconds(rules, long, percent)
    exact = short * percent / 100
    unit = rules.rounding.unit_s
    assert cut_short > 0
    if rules.rounding.mode == "up":
        assert exact - 1e-6 <= cut_short < exact + unit + 1e-6
    else:
        assert exact - unit - 1e-6 < cut_short <= exact + 1e-6


@given(rule_and_class, winner_times, st.floats(min_value=20.0, max_value=300.0))
def test_time_limit_is_consistent(pair: tuple[RuleSet, str], winner: float, km: float) -> None:
    rules, key = pair
    result = time_limit(rules, key, winner, km, extra_points=1.5)
    assert isinstance(result, CutResult)
    assert result.percent == result.base_percent + 1.5
    assert result.limit_s == pytest.approx(winner + result.cut_s)
    assert result.cut_s == cut_seconds(rules, winner, result.base_percent, 1.5)


# --- Malformed rule files ------------------------------------------------------------------------

GOOD_HEAD = 'format = 1\nname = "Test"\n'
ONE = GOOD_HEAD + "[coefficients.1]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n[coefficients.1]\nfixed_percent = 3', "format: Field required"),
        ('format = 2\nname = "x"\n[coefficients.1]\nfixed_percent = 3', "format: unsupported"),
        ("format = 1\n[coefficients.1]\nfixed_percent = 3", "name: Field required"),
        (GOOD_HEAD + "colour = 1\n[coefficients.1]\nfixed_percent = 3", "colour: Extra inputs"),
        (GOOD_HEAD + "[coefficients]\n", "coefficients: Dictionary should have at least 1"),
        (ONE + "label = 'x'\n", "coefficients.1: give either 'bands'"),
        (
            ONE + 'fixed_percent = "3"\n',
            "coefficients.1.fixed_percent: Input should be a valid number",
        ),
        (
            ONE + "bands = [{ up_to_kmh = 36, percnt = 4 }, { percent = 5 }]",
            "coefficients.1.bands[0].percnt: Extra inputs",
        ),
        (
            ONE + "bands = [{ up_to_kmh = 36, percent = -4 }, { percent = 5 }]",
            "coefficients.1.bands[0].percent: Input should be greater than or equal to 0",
        ),
        (
            ONE + "bands = [{ up_to_kmh = 36, percent = 4 }, { up_to_kmh = 35, percent = 5 },"
            " { percent = 6 }]",
            "coefficients.1: bands[1].up_to_kmh: 35 must be greater than bands[0].up_to_kmh",
        ),
        (
            ONE + "bands = [{ up_to_kmh = 36, percent = 8 }, { percent = 6 }]",
            "coefficients.1: bands[1].percent: 6 is lower",
        ),
        (
            ONE + "bands = [{ up_to_kmh = 36, percent = 4 }]",
            "coefficients.1: bands[0].up_to_kmh: the last band must have no edge",
        ),
        (
            ONE + "bands = [{ percent = 4 }, { percent = 5 }]",
            "coefficients.1: bands[0].up_to_kmh: missing",
        ),
        (ONE + "bands = []", "coefficients.1: bands: at least one band"),
        (
            GOOD_HEAD + "[rounding]\nmode = 'ceil'\n[coefficients.1]\nfixed_percent = 3",
            "rounding.mode: Input should be 'down', 'nearest', 'up' or 'none'",
        ),
        (
            GOOD_HEAD + "[rounding]\nunit_s = 0\n[coefficients.1]\nfixed_percent = 3",
            "rounding.unit_s: Input should be greater than 0",
        ),
        (
            GOOD_HEAD + "[coefficients.d]\nfixed_percent = 3\n[coefficients.D]\nfixed_percent = 3",
            "coefficients.D: same key as 'd'",
        ),
        ('format = 1\nname = "x\n', "not valid TOML"),
        (
            ONE + 'fixed_percent = 3\n[assumed]\nflat = "2"',
            "assumed.flat: unknown class '2' (known: 1)",
        ),
        (
            ONE + 'fixed_percent = 3\n[assumed]\nsprint = "1"',
            "assumed.sprint.[key]: Input should be 'flat', 'hilly', 'mountain', 'itt' or 'ttt'",
        ),
    ],
)
def test_malformed_rule_files_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^rule set: ") as caught:
        parse_rule_set(text)
    assert message in str(caught.value)


def test_bundled_rule_sets_assume_a_class_for_each_stage_type() -> None:
    assert assumed_class(TDF, "flat") == "1"
    assert assumed_class(TDF, "mountain") == "4"
    assert assumed_class(TDF, "itt") == "6"
    assert assumed_class(GIRO, "mountain") == "D"
    assert assumed_class(GIRO, "itt") == "E"
    assert assumed_class(TDF, "ttt") is None  # a team time trial has its own rule


def test_minimal_rule_file_defaults_to_no_rounding() -> None:
    rules = parse_rule_set(GOOD_HEAD + "[coefficients.X]\nfixed_percent = 10")
    assert rules.rounding.mode == "none"
    assert cut_seconds(rules, 1234.5, 10) == pytest.approx(123.45)
