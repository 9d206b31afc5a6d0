"""Groups named by their role and kept across updates (`race.gaps.groups`).

The sequences of group sizes and gaps follow a real hilly Tour stage: a break of 34 riders
3-4 minutes clear for 100 km, splitting on the climbs into a head of 3 and a chase of ~30, the
bunch 12-13 minutes down, stragglers 35 minutes down.
"""

from __future__ import annotations

from collections.abc import Sequence

from race.gaps.groups import (
    GroupNames,
    climbing,
    find_peloton,
    name_finished,
    road_roles,
    unique,
)
from race.gaps.lineage import GroupLineage
from race.models import Climb, Stage, StageType
from race.situation import GroupKind


def stage(kind: StageType, climbs: tuple[Climb, ...] = ()) -> Stage:
    return Stage(race="Test", year=2026, distance_km=180.0, type=kind, climbs=climbs)


class Road:
    """The groups of successive updates named as the gaps tracker names them: ids from the
    lineage, the peloton carried on by its id, names kept by `GroupNames`."""

    def __init__(self, climbs: bool = False) -> None:
        self.climbs = climbs
        self.lineage = GroupLineage()
        self.names = GroupNames()
        self.peloton: str | None = None

    def update(
        self,
        groups: Sequence[range],
        gaps: Sequence[float],
        *,
        leader: int | None = None,
        finished: int = 0,
    ) -> list[tuple[GroupKind, str]]:
        ids, _ = self.lineage.update([frozenset(g) for g in groups])
        roles = road_roles(
            [len(g) for g in groups],
            gaps,
            climbs=self.climbs,
            finished=finished,
            head_finished=finished > 0,
            peloton_before=ids.index(self.peloton) if self.peloton in ids else None,
            leader=leader,
        )
        names = self.names.name(ids, roles, head_finished=finished > 0)
        self.peloton = next(
            (i for i, k in zip(ids, roles.kinds, strict=True) if k == "peloton"), None
        )
        return list(zip(roles.kinds, names, strict=True))


# --- Roles -------------------------------------------------------------------------------------


def test_a_break_of_34_is_not_the_peloton_the_field_behind_it_is() -> None:
    roles = road_roles([34, 145], [0.0, 225.0], climbs=True)
    assert roles.kinds == ["head", "peloton"]
    assert roles.main == 1
    # The bunch 12-13 minutes down is the peloton, not a grupetto, and the stragglers far
    # behind it are the grupetto only when there are enough of them.
    assert road_roles([10, 24, 145, 6], [0, 40, 750, 2150], climbs=True).kinds == [
        "head",
        "chase",
        "peloton",
        "dropped",
    ]
    assert road_roles([10, 24, 130, 15], [0, 40, 750, 2150], climbs=True).kinds == [
        "head",
        "chase",
        "peloton",
        "grupetto",
    ]


def test_the_break_split_on_a_climb_is_a_head_and_a_chase() -> None:
    road = Road(climbs=True)
    break_, field = range(1, 35), range(35, 180)
    assert road.update([break_, field], [0.0, 210.0]) == [
        ("head", "Head of race"),
        ("peloton", "Peloton"),
    ]
    assert road.update([range(1, 4), range(4, 35), field], [0.0, 35.0, 225.0]) == [
        ("head", "Head of race"),
        ("chase", "Chase"),
        ("peloton", "Peloton"),
    ]
    # The chase splits again: chases are numbered front to back.
    assert [
        name
        for _, name in road.update(
            [range(1, 4), range(4, 14), range(14, 35), field], [0.0, 35.0, 80.0, 230.0]
        )
    ] == ["Head of race", "Chase", "Chase 2", "Peloton"]


def test_no_grupetto_on_a_flat_stage() -> None:
    assert not climbing(stage("flat"))
    assert not climbing(None)
    assert climbing(stage("hilly"))
    assert climbing(stage("mountain"))
    assert climbing(stage("flat", (Climb(name="Côte", summit_km=40.0, category="4"),)))
    for sizes, gaps in (
        ([3, 150, 25, 2], [0.0, 120.0, 900.0, 1500.0]),
        ([150, 40], [0.0, 2000.0]),
    ):
        kinds = road_roles(sizes, gaps, climbs=False).kinds
        assert "grupetto" not in kinds
        assert kinds[-1] == "dropped"


def test_a_group_just_behind_the_peloton_is_named_by_its_place_not_dropped() -> None:
    road = Road()
    assert road.update([range(1, 3), range(3, 170), range(170, 172)], [0.0, 180.0, 226.0]) == [
        ("head", "Head of race"),
        ("peloton", "Peloton"),
        ("dropped", "Group 2"),
    ]


def test_a_field_in_pieces_has_the_yellow_jersey_group_and_grupetti() -> None:
    # No group holds two fifths of the field: the leader's group is the main group, and the
    # big groups far behind it are grupetti, numbered front to back.
    roles = road_roles(
        [1, 3, 40, 60, 55, 2], [0.0, 40.0, 300.0, 500.0, 900.0, 950.0], climbs=True, leader=1
    )
    assert roles.kinds == ["head", "leader", "dropped", "grupetto", "grupetto", "dropped"]
    names = GroupNames().name([f"g{i}" for i in range(6)], roles)
    assert names == [
        "Head of race",
        "Yellow jersey group",
        "Group 2",
        "Grupetto",
        "Grupetto 2",
        "Group 3",
    ]
    # Leader unknown: groups by their place, grupetti far behind the first big group.
    assert road_roles(
        [1, 3, 40, 60, 55, 2], [0.0, 40.0, 300.0, 500.0, 900.0, 950.0], climbs=True
    ).kinds == ["head", "group", "group", "grupetto", "grupetto", "group"]


def test_a_bunch_split_in_two_near_equal_halves_keeps_its_peloton() -> None:
    # Without history, the larger half (the front one on a tie).
    assert find_peloton([80, 85], [0.0, 4.0]) == 1
    assert find_peloton([85, 85], [0.0, 4.0]) == 0
    road = Road()
    assert road.update([range(1, 171)], [0.0]) == [("peloton", "Peloton")]
    # The front half keeps the bunch's id and the name, even while it is the smaller one...
    assert [k for k, _ in road.update([range(1, 86), range(86, 171)], [0.0, 4.0])] == [
        "peloton",
        "dropped",
    ]
    assert [k for k, _ in road.update([range(1, 81), range(81, 171)], [0.0, 4.0])] == [
        "peloton",
        "dropped",
    ]
    # ...until it is clearly the smaller.
    assert [k for k, _ in road.update([range(1, 61), range(61, 171)], [0.0, 4.0])] == [
        "head",
        "peloton",
    ]


def test_after_the_winners_finish() -> None:
    # A break won: the field still on the road is the peloton.
    assert road_roles([145], [240.0], finished=34, head_finished=True).kinds == ["peloton"]
    # The bunch has sprinted: what is left on the road is not the peloton, and no group on
    # the road is the head of the race or a chase.
    kinds = road_roles([24, 2], [60.0, 90.0], finished=140, head_finished=True, climbs=True).kinds
    assert kinds == ["group", "group"]
    road = Road()
    named = road.update([range(40, 42), range(42, 180)], [30.0, 200.0], finished=34)
    assert named == [("group", "Group 2"), ("peloton", "Peloton")]
    assert name_finished(4, winner_alone=True) == [
        ("head", "Winner"),
        ("group", "Finished 2nd"),
        ("group", "Finished 3rd"),
        ("group", "Finished 4th"),
    ]
    assert name_finished(0, winner_alone=False) == []


# --- Stable names ------------------------------------------------------------------------------


def test_the_peloton_stays_with_its_group_through_a_catch_and_a_new_break() -> None:
    road = Road(climbs=True)
    field = range(35, 180)
    road.update([range(1, 35), field], [0.0, 220.0])
    # The break is caught: the merged group carries on the field's id and name.
    assert road.update([range(1, 180)], [0.0]) == [("peloton", "Peloton")]
    first = road.peloton
    assert road.update([range(1, 4), range(4, 180)], [0.0, 40.0]) == [
        ("head", "Head of race"),
        ("peloton", "Peloton"),
    ]
    assert road.peloton == first


def test_groups_behind_keep_their_numbers() -> None:
    road = Road()
    bunch = range(10, 170)
    back = [range(170, 172), range(172, 175), range(175, 180)]
    named = road.update([range(1, 4), bunch, *back], [0.0, 120.0, 160.0, 200.0, 260.0])
    assert [n for _, n in named] == ["Head of race", "Peloton", "Group 2", "Group 3", "Group 4"]
    # The break is caught: nothing behind the peloton is renumbered.
    named = road.update([range(1, 170), *back], [0.0, 40.0, 80.0, 140.0])
    assert [n for _, n in named] == ["Peloton", "Group 2", "Group 3", "Group 4"]
    # Two riders just behind the bunch come back into it: the groups behind keep their names.
    named = road.update([range(1, 172), *back[1:]], [0.0, 80.0, 140.0])
    assert [n for _, n in named] == ["Peloton", "Group 3", "Group 4"]
    # A new group drops back between the bunch and them: numbers still rise front to back.
    named = road.update([range(1, 166), range(166, 172), *back[1:]], [0.0, 30.0, 80.0, 140.0])
    assert [n for _, n in named] == ["Peloton", "Group 2", "Group 3", "Group 4"]


def test_two_groups_never_share_a_name() -> None:
    assert unique(["Chase", "Chase", "Group 2", "Chase"]) == [
        "Chase",
        "Chase 2",
        "Group 2",
        "Chase 3",
    ]
    assert unique(["Grupetto", "Grupetto 2", "Grupetto"]) == [
        "Grupetto",
        "Grupetto 2",
        "Grupetto 3",
    ]
    road = Road(climbs=True)
    sizes = [1, 1, 1, 120, 1, 1, 20, 20, 1]
    gaps = [0.0, 30.0, 60.0, 120.0, 150.0, 200.0, 700.0, 900.0, 1000.0]
    groups, start = [], 1
    for size in sizes:
        groups.append(range(start, start + size))
        start += size
    for _ in range(3):
        names = [n for _, n in road.update(groups, gaps)]
        assert len(set(names)) == len(names)
    assert names == [
        "Head of race",
        "Chase",
        "Chase 2",
        "Peloton",
        "Group 2",
        "Group 3",
        "Grupetto",
        "Grupetto 2",
        "Group 4",
    ]
