"""The stage profile's rows (`tui.panels.profile`), and `[team] code` read in any case."""

from __future__ import annotations

from pathlib import Path

from race.models import Climb, ProfilePoint, Sprint, Stage, Team
from race.situation import Roster
from tests.support.stages import flat_at, mountain_at
from tui.config import load_config, team_code_problem
from tui.panels.profile import BLOCKS, Mark, group_marks, profile_lines, short_climb_name


def stage(altitudes: list[float], climbs: tuple[Climb, ...] = ()) -> Stage:
    """A 100 km stage through `altitudes`, evenly spaced."""
    step = 100.0 / (len(altitudes) - 1)
    profile = tuple(ProfilePoint(km=i * step, altitude_m=a) for i, a in enumerate(altitudes))
    return Stage(race="Test", year=2026, distance_km=100.0, profile=profile, climbs=climbs)


def filled(rows: list[str]) -> int:
    """How many rows hold some road."""
    return sum(1 for row in rows if any(c in BLOCKS for c in row))


def test_a_flat_stage_looks_flat_and_a_mountain_stage_fills_the_height() -> None:
    flat = profile_lines(stage([20, 170, 60, 140, 30]), (), 80, 10)
    mountain = profile_lines(stage([400, 2100, 600, 1900, 800]), (), 80, 10)
    flat_road = [line.plain for line in flat[1:-2]]
    mountain_road = [line.plain for line in mountain[1:-2]]
    assert len(flat_road) == len(mountain_road) == 7
    assert filled(flat_road) == 1, "150 m of rolling road stays in the bottom row"
    assert filled(mountain_road) == 7
    assert "█" in mountain_road[0], "the highest summit reaches the top"


def test_climbs_are_named_at_their_summit_with_their_category() -> None:
    climbs = (
        Climb(name="Col du Tourmalet", summit_km=40.0, category="HC"),
        Climb(name="Côte de Test", summit_km=70.0, category="3"),
        Climb(name="Côte de la Fin", summit_km=99.0, category="4"),
    )
    top = profile_lines(stage([400, 1500, 2100, 900, 1000], climbs), (), 100, 8)[0].plain
    assert top.index("▾Col du Tourmalet (HC)") == 40
    assert top.index("▾Côte de Test (cat. 3)") == 70
    # At the right edge the name ends at the summit.
    assert top.endswith("cat. 4▾")


def test_crowded_climbs_keep_their_mark_and_the_hardest_its_name() -> None:
    climbs = (
        Climb(name="Côte de Small", summit_km=50.0, category="4"),
        Climb(name="Col du Big", summit_km=55.0, category="1"),
    )
    road = stage([400, 900, 1500, 900, 400], climbs)
    top = profile_lines(road, (), 60, 6)[0].plain
    assert top.index("▾Col du Big (cat. 1)") == 33
    assert top.index("Côte de Small (cat. 4)▾") == 30 - 22, "ending at its summit"
    top = profile_lines(road, (), 40, 6)[0].plain
    assert top[20] == "▾", "no room for the names: both summits marked"
    assert top[22] == "▾"
    assert top.index("▾Big cat. 1") == 22, "a short name where the whole one does not fit"


def test_an_intermediate_sprint_is_named_where_the_climbs_leave_room() -> None:
    climbs = (Climb(name="Col du Big", summit_km=30.0, category="1"),)
    road = stage([400, 1500, 900, 400, 300], climbs).model_copy(
        update={"sprints": (Sprint(name="VIC-EN-BIGORRE", km=70.0),)}
    )
    top = profile_lines(road, (), 100, 8)[0].plain
    assert top.index("▾Sprint Vic-En-Bigorre") == 70
    assert top.index("▾Col du Big (cat. 1)") == 30
    crowded = road.model_copy(update={"sprints": (Sprint(name="Somewhere", km=31.0),)})
    top = profile_lines(crowded, (), 60, 8)[0].plain
    assert "▾Col du Big (cat. 1)" in top, "where they crowd, the climb keeps its name"
    assert "Sprint" not in top
    near = road.model_copy(update={"sprints": (Sprint(name="Somewhere", km=90.0),)})
    top = profile_lines(near, (), 40, 8)[0].plain
    assert top.index("▾Col du Big (cat. 1)") == 12
    assert top.index("▾S ") == 36, "no room for its name: the sprint's initial"


def test_a_climbs_short_name_is_its_last_word() -> None:
    assert short_climb_name("Col de la Hourquette d'Ardoise") == "Ardoise"
    assert short_climb_name("Côte de Berdets") == "Berdets"
    assert short_climb_name("Peyresourde") == "Peyresourde"


def test_groups_are_marked_on_the_road_and_named_below_without_overlap() -> None:
    marks = (
        Mark(km=80.0, name="Head of race", head=True),
        Mark(km=60.0, name="Peloton"),
        Mark(km=59.5, name="Group 3"),
    )
    rows = [line.plain for line in profile_lines(stage([50, 60, 70, 60, 50]), marks, 100, 6)]
    road, names, km = rows[-3], rows[-2], rows[-1]
    assert road[80] == "◆"
    assert road[60] == "●"
    assert road[59] == "●"
    assert names.index("Head of race") in (80, 80 - len("Head of race") + 1)
    assert "Peloton" in names
    # Two names never touch: a blank cell between any two.
    assert "Group 3" not in names or abs(names.index("Group 3") - names.index("Peloton")) > 7
    assert km.startswith("0 ")
    assert km.endswith("finish 100 km")


def test_one_row_is_the_road_with_the_groups_on_it() -> None:
    (row,) = profile_lines(stage([50, 60]), (Mark(km=50.0, name="Peloton", head=True),), 40, 1)
    assert row.plain[20] == "◆"
    assert set(row.plain) <= set(BLOCKS) | {"◆"}


def test_no_profile_no_rows() -> None:
    assert profile_lines(None, (), 80, 6) == []
    assert profile_lines(stage([50, 60]), (), 5, 6) == []


def test_the_simulated_stages_profiles_at_80_and_160_columns() -> None:
    for situation in (flat_at(14.0)[1], mountain_at(20.0)[1]):
        assert situation.stage is not None
        marks = group_marks(situation)
        assert marks[0].head
        assert marks[0].km > 100
        for width in (80, 160):
            rows = profile_lines(situation.stage, marks, width, 6)
            assert all(len(row.plain) == width for row in rows)
            assert "▾" in rows[0].plain
            assert rows[-1].plain.endswith(f"finish {situation.stage.distance_km:.0f} km")


def test_my_teams_group_is_marked() -> None:
    situation = flat_at(14.0)[1]
    team = situation.roster.riders[situation.groups[0].riders[0]].team
    assert group_marks(situation, team)[0].mine
    assert not any(mark.mine for mark in group_marks(situation, None))


def test_the_team_code_is_read_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[team]\ncode = 'cdc'\n", encoding="utf-8")
    assert load_config(path).config.team.code == "CDC"


def test_an_unknown_team_code_lists_the_race_codes() -> None:
    roster = Roster(teams={c: Team(code=c, name=c) for c in ("UAD", "CDC", "ALP")})
    assert team_code_problem("CDC", roster) is None
    assert team_code_problem("cdc", roster) is None
    assert team_code_problem(None, roster) is None
    assert team_code_problem("XYZ", Roster()) is None, "not known before the start list"
    assert team_code_problem("XYZ", roster) == (
        "[team] code 'XYZ' is not a team of this race: ALP, CDC, UAD"
    )
