"""The rider search's matching (`tui.search`): accents ignored, bibs, team codes and names."""

from __future__ import annotations

from race.models import Rider, Team
from race.situation import Roster
from tui.search import QUERY_MAX, RiderSearch, fold


def _roster() -> Roster:
    riders = [
        Rider(bib=11, first_name="Tadej", last_name="Pogačar", team="UAD", nationality="SLO"),
        Rider(bib=12, first_name="Michael", last_name="Mørkøv", team="UAD"),
        Rider(bib=111, first_name="Jasper", last_name="Philipsen", team="ALP"),
        Rider(bib=112, first_name="Mathieu", last_name="VAN DER POEL", team="ALP"),
        Rider(bib=121, first_name="Phil", last_name="Bauhaus", team="BAH"),
    ]
    teams = {
        "UAD": Team(code="UAD", name="UAE Team Emirates"),
        "ALP": Team(code="ALP", name="Alpecin-Premier Tech"),
    }
    return Roster(teams=teams, riders={r.bib: r for r in riders})


def test_fold_keeps_one_character_for_one() -> None:
    for text in ("Mørkøv", "Pogačar", "Heßmann", "Ødegård", "Gołąb", "Æbelø"):
        assert len(fold(text)) == len(text)
    assert fold("Mørkøv Pogačar ĐURIĆ") == "morkov pogacar duric"


def test_a_name_typed_without_accents_finds_him_first() -> None:
    search = RiderSearch(_roster())
    assert search.find("pogacar")[0].bib == 11
    assert search.find("morkov")[0].bib == 12
    assert search.find("  van der  poel")[0].bib == 112
    first = search.find("pogacar")[0]
    assert [first.text[i] for i in first.matched] == list("Pogačar")


def test_a_bib_is_that_rider_first_then_those_it_begins() -> None:
    search = RiderSearch(_roster())
    assert [f.bib for f in search.find("11")] == [11, 111, 112]
    assert [f.bib for f in search.find("111")] == [111]
    assert search.find("999") == []


def test_a_team_by_code_or_name_comes_before_its_riders() -> None:
    search = RiderSearch(_roster())
    by_code = search.find("ALP")
    assert (by_code[0].kind, by_code[0].team) == ("team", "ALP")
    assert by_code[0].text == "ALP Alpecin-Premier Tech · 2 riders"
    assert {f.bib for f in by_code if f.kind == "rider"} >= {111, 112}
    by_name = search.find("alpecin")
    assert (by_name[0].kind, by_name[0].team) == ("team", "ALP")
    assert [f.bib for f in search.team("ALP")] == [111, 112]


def test_nothing_typed_lists_the_teams_and_a_team_without_a_name_its_code() -> None:
    found = RiderSearch(_roster()).find("")
    assert [f.text for f in found] == [
        "ALP Alpecin-Premier Tech · 2 riders",
        "BAH · 1 rider",
        "UAD UAE Team Emirates · 2 riders",
    ]


def test_a_long_query_is_cut_and_answers_at_once() -> None:
    search = RiderSearch(_roster())
    assert search.find("a" * 200) == search.find("a" * QUERY_MAX)
    assert search.find("zzzz") == []
