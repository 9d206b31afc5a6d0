"""The time-limit rule files read: the bundled ones parse and assume a class for each stage type;
a malformed file is refused with the key at fault named; a minimal one rounds nothing.
"""

from __future__ import annotations

import pytest

from race.timelimit.rules import Rounding, assumed_class, cut_seconds, parse_rule_set
from tests.support.rule_sets import GIRO, TDF

# --- The bundled rule sets ---------------------------------------------------------------------


def test_bundled_rule_sets_parse() -> None:
    assert TDF.name == "Tour de France"
    assert list(TDF.coefficients) == ["1", "2", "3", "4", "5", "6"]
    assert TDF.rounding == Rounding(mode="down", unit_s=1, applies_to="margin")
    assert GIRO.name == "Giro d'Italia"
    assert list(GIRO.coefficients) == ["A", "B", "C", "D", "D-short", "E"]
    assert GIRO.rounding == Rounding(mode="up", unit_s=60, applies_to="limit")


def test_bundled_rule_sets_assume_a_class_for_each_stage_type() -> None:
    assert assumed_class(TDF, "flat") == "1"
    assert assumed_class(TDF, "mountain") == "4"
    assert assumed_class(TDF, "itt") == "6"
    assert assumed_class(GIRO, "mountain") == "D"
    assert assumed_class(GIRO, "itt") == "E"
    assert assumed_class(TDF, "ttt") is None  # a team time trial has its own rule


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


def test_minimal_rule_file_defaults_to_no_rounding() -> None:
    rules = parse_rule_set(GOOD_HEAD + "[coefficients.X]\nfixed_percent = 10")
    assert rules.rounding.mode == "none"
    assert cut_seconds(rules, 1234.5, 10) == pytest.approx(123.45)
