"""Riders' names as cycling writes them, whatever case the feed sends (`race.wording`, applied
where a `Rider` is made: `race.models.Rider`)."""

from __future__ import annotations

import gzip
import json

import pytest

from feeds.racecenter.wire import riders_from_records, teams_from_records
from race.models import Rider
from race.wording import counted, distinct_names, proper_name
from tests.support.stages import STAGE_5, needs_stage_5


@pytest.mark.parametrize(
    ("sent", "written"),
    [
        ("VEISTROFFER", "Veistroffer"),
        ("VAN DER POEL", "Van der Poel"),
        ("VAN DEN BERG", "Van den Berg"),
        ("DE LIE", "De Lie"),
        ("LE BERRE", "Le Berre"),
        ("O'CONNOR", "O'Connor"),
        ("O’BRIEN", "O’Brien"),
        ("POGAČAR", "Pogačar"),
        ("HEßMANN", "Heßmann"),
        ("WÆRENSKJOLD", "Wærenskjold"),
        ("MCNULTY", "McNulty"),
        ("PARET-PEINTRE", "Paret-Peintre"),
        ("CORT NIELSEN", "Cort Nielsen"),
        ("IJSSELMUIDEN", "IJsselmuiden"),
        ("JEAN DE LA COSTE", "Jean de la Coste"),
    ],
)
def test_capitals_become_the_names_cycling_writes(sent: str, written: str) -> None:
    assert proper_name(sent) == written


@pytest.mark.parametrize("kept", ["van Aert", "IJsselmuiden", "Jose Felix", "", "#12"])
def test_a_name_in_mixed_case_is_the_feeds_own_choice(kept: str) -> None:
    assert proper_name(kept) == kept


def test_a_rider_is_made_with_his_name_in_proper_case() -> None:
    rider = Rider(bib=11, first_name="BASTIEN", last_name="VEISTROFFER", team="TST")
    assert rider.short_name == "B. Veistroffer"


def test_names_that_read_the_same_get_their_bibs() -> None:
    names = distinct_names({63: "Vercruysse", 71: "VERCRUYSSE", 5: "Mulder"})
    assert names == {63: "Vercruysse #63", 71: "VERCRUYSSE #71", 5: "Mulder"}


@needs_stage_5
def test_the_real_start_list_reads_as_cycling_writes_it() -> None:
    with gzip.open(STAGE_5) as file:
        rest = json.load(file)["rest"]
    riders = riders_from_records(rest["riders"], teams_from_records(rest["teams"]))
    by_bib = {r.bib: r for r in riders}
    assert len(riders) > 150
    assert not [r.last_name for r in riders if r.last_name.isupper() and len(r.last_name) > 2]
    written = {r.last_name for r in riders}
    assert {"Van der Poel", "O'Connor", "De Lie", "McNulty", "Van den Berg", "Heßmann"} <= written
    assert by_bib[4].short_name == "B. McNulty"


def test_a_count_of_one_is_singular_and_any_other_plural() -> None:
    assert [counted(n, "rider") for n in (0, 1, 2, 12)] == [
        "0 riders",
        "1 rider",
        "2 riders",
        "12 riders",
    ]
    assert [counted(n, "status", "statuses") for n in (1, 2)] == ["1 status", "2 statuses"]
