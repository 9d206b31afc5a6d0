"""Each rider against the cut, and the statuses' guarantees: a worse status is not held back
by a new group, a rider is not safe by joining a safe group, the feed losing a rider does not
lose his status, nobody named means everybody watched, and no status is better than its margin
allows.

Synthetic stages and groups, driven as in `tests.support.timelimit`.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from race.alerts import AlertLog
from race.frame import Frame
from race.models import Rider
from race.settings import EngineSettings
from race.situation import GroupKind, GroupView, LimitStatus, Roster, TimeLimit
from race.timelimit.groups import GroupState, behind_the_race
from race.timelimit.losses import LossModel
from race.timelimit.riders import RIDER_MEMORY_KM
from race.timelimit.settings import TimeLimitSettings
from race.timelimit.status import SEVERITY, STATUS_FRAMES, settle, status_for
from race.timelimit.tracker import TimeLimitTracker
from race.tracking.tracks import RiderTrack
from tests.support.stages import tdf_rules
from tests.support.timelimit import Race, stage, view

FLAT = stage((100, 0))


def cut_of(race: Race) -> float:
    cut = race.at(30, []).cut_s
    assert cut is not None
    return cut


def rider(limit: TimeLimit, bib: int) -> tuple[LimitStatus, float | None, str | None]:
    (row,) = [r for r in limit.riders if r.bib == bib]
    return row.status, row.margin_s, row.group_id


# --- A rider's own status -----------------------------------------------------------------------


def test_a_rider_joining_a_safe_group_keeps_his_danger_over_his_last_km() -> None:
    race = Race(the_stage=FLAT)
    cut = cut_of(race)
    bunch = list(range(100, 140))
    for i in range(3):  # sprinter 11 in a group in danger
        km = 70 - i * 0.1
        race.at(
            30 + i * 0.1, [view("bunch", bunch, cut - 900, km), view("late", [11], cut - 60, km)]
        )
    assert (
        rider(
            race.at(
                30.3, [view("bunch", bunch, cut - 900, 69.7), view("late", [11], cut - 60, 69.7)]
            ),
            11,
        )[0]
        == "danger"
    )
    # He bridges to the bunch at 69.7 km to go: still in danger until he has ridden 3 km with it.
    seen = []
    for i in range(1, 40):
        km = 69.7 - i * 0.1
        limit = race.at(30.3 + i * 0.1, [view("bunch", [*bunch, 11], cut - 900, km)])
        status, margin, group = rider(limit, 11)
        assert (margin, group) == (limit.groups[0].margin_s, "bunch")
        seen.append((round(69.7 - km, 1), status))
    assert {s for d, s in seen if d < RIDER_MEMORY_KM} == {"danger"}
    assert {s for d, s in seen if d >= RIDER_MEMORY_KM} == {"safe"}
    # Announced at once when worse, and back to safe only then.
    assert race.kinds() == ["time_limit_danger", "time_limit_safe"]
    assert race.alerts.alerts[-1].text.startswith("Time limit: Bunch (S. Sprinter11) back to safe")


def fixes_frame(
    t: float, groups: list[GroupView], road: list[tuple[int, float]], head_km: float
) -> Frame:
    """A frame whose riders on the road have their last fix at the given times."""
    placed = [(0.0, 0.0, bib, RiderTrack(bib=bib, t=fix_t, km=head_km)) for bib, fix_t in road]
    return Frame(
        t=t,
        stage=None,
        roster=Roster(),
        alerts=AlertLog(),
        head_km=head_km,
        race_time_s=t - 1_000_000,
        road=placed,
        groups=[view("head", [1], 0.0, head_km, kind="head"), *groups],
    )


def test_a_rider_the_feed_loses_keeps_his_last_status_and_says_since_when() -> None:
    tracker = TimeLimitTracker(EngineSettings(rules=tdf_rules()))
    tracker.set_stage(FLAT, Roster())
    start = 1_000_000.0 + 3600
    cut = tracker.update(fixes_frame(start, [], [], 64.0)).cut_s
    assert cut is not None
    late = [view("late", [11, 12], cut - 60, 65.0)]
    for i in range(3):
        t = start + 6 * i
        limit = tracker.update(fixes_frame(t, late, [(11, t), (12, t - 12)], 64.0))
    assert [(r.bib, r.status, r.missing_since_t) for r in limit.riders] == [
        (11, "danger", None),
        (12, "danger", None),  # his fixes are late, but he is still held in his group
    ]
    # Rider 12 is no longer placed: he keeps his status, with his last fix and no margin.
    limit = tracker.update(
        fixes_frame(start + 30, [view("late", [11], cut - 60, 64.9)], [(11, start + 30)], 64.0)
    )
    lost = limit.riders[-1]
    assert (lost.bib, lost.status, lost.margin_s, lost.group_id) == (12, "danger", None, None)
    assert lost.missing_since_t == start
    # Back in a group: placed again.
    limit = tracker.update(
        fixes_frame(start + 36, late, [(11, start + 36), (12, start + 36)], 64.0)
    )
    assert [(r.bib, r.group_id, r.missing_since_t) for r in limit.riders] == [
        (11, "late", None),
        (12, "late", None),
    ]


def test_riders_listed_are_those_at_risk_missing_or_watched() -> None:
    race = Race(the_stage=FLAT)
    cut = cut_of(race)
    limit = race.at(
        30, [view("bunch", range(100, 140), cut - 900, 70), view("late", [11, 99], cut - 60, 70)]
    )
    # The bunch's riders are safe and unwatched: not listed.
    assert [(r.bib, r.status, r.watched) for r in limit.riders] == [
        (11, "danger", True),
        (99, "danger", False),
    ]


# --- Nobody named -------------------------------------------------------------------------------

NOBODY = Roster(
    riders={
        b: Rider(bib=b, first_name="Dom", last_name=f"Estique{b}", team=f"T{b % 7}")
        for b in range(50, 60)
    }
)


def test_nobody_named_every_rider_behind_the_head_is_watched_and_named() -> None:
    race = Race(the_stage=FLAT)
    race.tracker.set_stage(FLAT, NOBODY)
    cut = cut_of(race)
    for i in range(3):
        limit = race.at(30 + i * 0.1, [view("group", [50, 51, 52, 53], cut - 60, 70 - i * 0.1)])
    assert limit.watch_all
    assert limit.groups[0].watched == ()
    assert race.kinds() == ["time_limit_danger"]
    assert race.alerts.alerts[0].text.startswith(
        "Time limit DANGER: Group (D. Estique50, D. Estique51, D. Estique52 +1) margin 1:00"
    )


def test_a_configured_rider_or_a_sprinter_is_somebody_named() -> None:
    named = TimeLimitTracker(
        EngineSettings(rules=tdf_rules(), time_limit=TimeLimitSettings(watch=(50,)))
    )
    named.set_stage(FLAT, NOBODY)
    assert not named.watch_all
    race = Race(the_stage=FLAT)  # the roster's sprinters
    assert not race.tracker.watch_all


# --- Which groups are dropped -------------------------------------------------------------------


def groups_of(*sizes_and_kinds: tuple[int, GroupKind]) -> list[GroupView]:
    out: list[GroupView] = []
    bib = 1
    for i, (size, kind) in enumerate(sizes_and_kinds):
        out.append(view(f"g{i}", range(bib, bib + size), 60.0 * i, 50.0, kind=kind))
        bib += size
    return out


def test_a_main_field_is_not_dropped_whatever_its_name() -> None:
    # A break of 5 and a 145-rider main field named "Grupetto": only the groups behind it are.
    groups = groups_of((5, "head"), (145, "grupetto"), (10, "dropped"), (3, "group"))
    assert behind_the_race(groups) == [False, False, True, True]


def test_in_the_mountains_the_largest_group_can_be_dropped() -> None:
    # The field broken up: 110 riders in small groups ahead of a 60-rider grupetto. The third
    # group has 75 of the 170 riders ahead: not yet most of them.
    groups = groups_of((20, "head"), (30, "group"), (25, "group"), (35, "group"), (60, "group"))
    assert behind_the_race(groups) == [False, False, False, False, True]


def test_a_main_field_named_grupetto_is_projected_without_the_climbing_rule() -> None:
    race = Race()  # the climb is still to come
    main = view("grupetto", range(100, 245), 30.0, 71.0, kind="grupetto")
    late = view("late", range(300, 310), 120.0, 71.0, kind="group")
    limit = race.at(29, [main, late])
    assert limit.groups[0].projected_gap_s == 30.0
    assert limit.groups[1].projected_gap_s > 120.0 + 500  # Degenkolb's minute per km


# --- No status better than its margin allows -----------------------------------------------------

LIMITS = TimeLimitSettings()
MARGINS = st.floats(min_value=-900.0, max_value=900.0, allow_nan=False)


@given(
    margins=st.lists(MARGINS, min_size=1, max_size=40),
    start=st.sampled_from(["safe", "tight", "danger", "outside", None]),
    provisional_frames=st.integers(min_value=0, max_value=40),
)
def test_no_status_better_than_its_margin_allows(
    margins: list[float], start: LimitStatus | None, provisional_frames: int
) -> None:
    state = GroupState(model=LossModel(), status=start, inherited=start is not None)
    statuses: list[LimitStatus] = []
    for frame, margin in enumerate(margins):
        # Provisional (formed lately, with its riders' status) for its first frames.
        state.own_km = 0.0 if frame < provisional_frames else 10.0
        before = state.status
        status = settle(state, margin, 0.0, LIMITS)
        statuses.append(status)
        by_margin = SEVERITY[status_for(margin, LIMITS.tight_margin_s, LIMITS.danger_margin_s)]
        # At most one step better than the margin: never safe in danger or outside, never
        # tight outside.
        assert SEVERITY[status] >= by_margin - 1
        if margin < 0:
            assert status in ("danger", "outside")
        # Better only once the margin clears the threshold by the band, never while provisional.
        if before is not None and SEVERITY[status] < SEVERITY[before]:
            assert not state.provisional
            cleared = status_for(
                margin - LIMITS.status_band_s, LIMITS.tight_margin_s, LIMITS.danger_margin_s
            )
            assert SEVERITY[status] >= SEVERITY[cleared]
        # A worse status seen in two frames in a row counts, provisional or not.
        if frame >= STATUS_FRAMES - 1:
            recent = margins[frame - STATUS_FRAMES + 1 : frame + 1]
            least = min(
                SEVERITY[status_for(m, LIMITS.tight_margin_s, LIMITS.danger_margin_s)]
                for m in recent
            )
            assert SEVERITY[status] >= least


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.floats(min_value=0.05, max_value=1.5)),
        min_size=2,
        max_size=30,
    )
)
def test_a_riders_status_is_never_better_than_his_groups(steps: list[tuple[str, float]]) -> None:
    # Rider 11 hops between a group in danger ("a") and a safe bunch ("b").
    race = Race(the_stage=FLAT)
    cut = cut_of(race)
    km, covered = 70.0, 30.0
    for where, step in steps:
        km -= step
        covered += step
        a = view("a", [11] if where == "a" else [12], cut - 60, km)
        b = view("b", [*range(100, 120), *([11] if where == "b" else [])], cut - 900, km)
        limit = race.at(covered, [b, a])
        group = next(g for g in limit.groups if g.id == where)
        status = rider(limit, 11)[0]
        assert SEVERITY[status] >= SEVERITY[group.status]
