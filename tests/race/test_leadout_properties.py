"""The lead-out tracker on synthetic frames: its invariants (hypothesis) and its building blocks.

Two declared trains and a field of other riders are placed at chosen distances behind the head
of the race, frame after frame, and handed to `LeadoutTracker` as the engine would.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from race.alerts import AlertLog
from race.finale import TrainRider
from race.leadout.bunch import BunchFrame, BunchTracker
from race.leadout.reading import TrainOrder, in_order, read_train
from race.leadout.settings import LeadoutSettings, TrainSettings
from race.leadout.tracker import LeadoutTracker
from race.leadout.trains import MIN_FRAMES, TrainDetector, TrainPlan, front_trains
from race.leadout.views import ranked_as_listed
from race.models import Bib, Rider, Team
from race.settings import EngineSettings
from race.situation import Roster, Train

TRAINS = {"AAA": (1, (4, 3, 2)), "BBB": (11, (14, 13, 12))}
"""Team: (sprinter, lead-out men first man first)."""
OTHERS = tuple(range(21, 41))
BIBS = (*[b for s, lead in TRAINS.values() for b in (*lead, s)], *OTHERS)
START_T = 1_780_000_000.0
CADENCE_S = 6.0


def roster() -> Roster:
    others = {f"O{bib // 2:02d}" for bib in OTHERS}
    teams = {code: Team(code=code, name=code) for code in (*TRAINS, *others)}
    riders: dict[Bib, Rider] = {}
    for code, (sprinter, lead) in TRAINS.items():
        for bib in (*lead, sprinter):
            riders[bib] = Rider(bib=bib, first_name="A", last_name=f"R{bib}", team=code)
    for bib in OTHERS:
        # Two riders of each of ten other teams, as in the front of a real bunch.
        team = f"O{bib // 2:02d}"
        riders[bib] = Rider(bib=bib, first_name="B", last_name=f"R{bib}", team=team)
    return Roster(teams=teams, riders=riders)


def tracker(**changes: object) -> LeadoutTracker:
    declared = tuple(
        TrainSettings(team=code, sprinter=sprinter, leadout=lead)
        for code, (sprinter, lead) in TRAINS.items()
    )
    settings = EngineSettings(leadout=LeadoutSettings(trains=declared, detect_km=0, **changes))
    out = LeadoutTracker(settings)
    out.set_roster(roster())
    return out


def play(
    frames: Sequence[dict[Bib, float]], cadence_s: float = CADENCE_S
) -> list[tuple[Train, ...]]:
    """Each frame: metres behind the head of the race per rider; the head rides 100 m a frame
    from 5 km to go (in the finale)."""
    lead = tracker()
    alerts = AlertLog()
    out: list[tuple[Train, ...]] = []
    for i, behind in enumerate(frames):
        before = len(alerts.alerts)
        head = 5.0 - 0.1 * i
        positions = {bib: head + metres / 1000.0 for bib, metres in behind.items()}
        trains, _ = lead.observe(
            t=START_T + cadence_s * i,
            head_km=min(positions.values()),
            positions=positions,
            fresh=set(positions),
            speeds=dict.fromkeys(positions, 55.0),
            alerts=alerts,
        )
        out.append(trains)
        # The panel and the race radio agree on the same frame.
        for alert in alerts.alerts[before:]:
            if alert.kind == "lost_wheel":
                team = alert.key.removeprefix("lost_wheel:")
                assert next(t for t in trains if t.team == team).status == "lost_wheel"
    return out


def layout(spacing: float = 1.5) -> dict[Bib, float]:
    """Both trains in line at the front, their sprinters on the wheel, the others behind."""
    places: dict[Bib, float] = {}
    metres = 0.0
    for sprinter, lead in TRAINS.values():
        for bib in (*lead, sprinter):
            places[bib] = metres
            metres += spacing
        metres += 3.0
    for bib in OTHERS:
        places[bib] = metres
        metres += 1.2
    return places


places_strategy = st.fixed_dictionaries(
    {bib: st.floats(min_value=0.0, max_value=80.0, allow_nan=False) for bib in BIBS}
)


@settings(max_examples=60, deadline=None)
@given(st.lists(places_strategy, min_size=1, max_size=10))
def test_ranks_are_positive_and_in_road_order_within_a_train(
    frames: list[dict[Bib, float]],
) -> None:
    for trains in play(frames):
        assert {t.team for t in trains} == set(TRAINS)
        for t in trains:
            ranks = [r.rank for r in t.riders]
            assert all(rank >= 1 for rank in ranks)
            assert ranks == sorted(ranks)
            assert len(set(ranks)) == len(ranks)
            assert t.riders[-1].bib == t.sprinter
            assert t.riders[-1].role == "sprinter"
            assert t.sprinter_rank == ranks[-1]
            assert all(r.gap_m is None or r.gap_m >= 0 for r in t.riders)
            assert t.riders[0].gap_m is None


@settings(max_examples=60, deadline=None)
@given(st.lists(places_strategy, min_size=2, max_size=10))
def test_a_state_changes_only_when_two_frames_running_show_it(
    frames: list[dict[Bib, float]],
) -> None:
    pictures = play(frames)
    for before, after in itertools.pairwise(pictures):
        previous = {t.team: t for t in before}
        for t in after:
            old = previous[t.team]
            if t.status != old.status:
                assert old.pending == t.status


def test_no_state_is_claimed_when_frames_are_too_far_apart() -> None:
    """36 s between frames: the bunch moves ~550 m at 55 km/h, over a hundred wheels."""
    steady = layout()
    settled = play([steady] * 4)[-1]
    assert all(t.status == "on_wheel" for t in settled)
    for trains in play([steady] * 4, cadence_s=36.0)[1:]:
        assert all(t.status is None and t.confidence is None for t in trains)


def test_nobody_between_the_sprinter_and_his_last_man_on_the_wheel() -> None:
    base = {4: 0.0, 3: 1.5, 2: 3.0, 21: 40.0, 22: 41.0}
    assert read({**base, 1: 4.5}) == "on_wheel"
    # Another rider between them, 1.5 m apart each (within the wheel distance): not on the
    # wheel; boxed in once he is surely between them.
    assert read({**base, 23: 4.5, 1: 6.0}) == "gap_opening"
    assert read({**base, 23: 6.0, 1: 9.0}) == "boxed"


SETTLED = 12
"""Steady frames after which the feed's noise is measured and every state has settled."""


@settings(max_examples=60, deadline=None)
@given(
    spacing=st.floats(min_value=0.8, max_value=30.0),
    after=st.integers(min_value=1, max_value=4),
    glitch=places_strategy,
)
def test_a_single_wild_frame_never_changes_a_state(
    spacing: float, after: int, glitch: dict[Bib, float]
) -> None:
    steady = layout(spacing)
    pictures = play([steady] * SETTLED + [glitch] + [steady] * after)
    settled = [t.status for t in pictures[SETTLED - 1]]
    for trains in pictures[SETTLED:]:
        assert [t.status for t in trains] == settled


# --- Building blocks -------------------------------------------------------------------------


def frames_of(places: dict[Bib, float], count: int = 4, noise: float = 0.0) -> BunchFrame:
    """The bunch tracker's frame after `count` frames of these places (metres behind the
    head), with normal noise of `noise` metres on each fix."""
    bunch = BunchTracker()
    rng = random.Random(7)
    frame: BunchFrame | None = None
    for i in range(count):
        head = 5.0 - 0.1 * i
        positions = {b: head + (m + rng.gauss(0.0, noise)) / 1000.0 for b, m in places.items()}
        frame = bunch.update(START_T + CADENCE_S * i, positions, set(positions))
    assert frame is not None
    return frame


def test_the_noise_of_the_feed_is_measured_from_the_frames() -> None:
    places = {bib: 1.5 * i for i, bib in enumerate(range(100, 160))}
    frame = frames_of(places, count=15, noise=3.0)
    assert 2.5 <= frame.noise_m <= 3.5
    assert frame.pair_sigma_m() < 3.0 * 2**0.5  # smoothing narrows a distance's uncertainty


def test_one_wild_fix_does_not_move_a_place() -> None:
    bunch = BunchTracker()
    places = {bib: 1.5 * i for i, bib in enumerate(range(100, 140))}
    for i in range(6):
        head = 5.0 - 0.1 * i
        positions = {b: head + m / 1000.0 for b, m in places.items()}
        if i == 4:
            positions[120] += 0.05  # 50 m off for one frame
        frame = bunch.update(START_T + CADENCE_S * i, positions, set(positions))
        assert abs(frame.gap_m(100, 120) - 30.0) < 0.01


def read(places: dict[Bib, float], **changes: float) -> str:
    frame = frames_of(places)
    team_of = {b: r.team for b, r in roster().riders.items()}
    sprinter, lead = TRAINS["AAA"]
    plan = TrainPlan("AAA", sprinter, lead)
    order = TrainOrder(lead).update(frame, sprinter, lead, learn=True)
    reading = read_train(
        plan,
        frame,
        team_of,
        order=order,
        wheel_m=changes.get("wheel_m", 5.0),
        lost_wheel_m=changes.get("lost_wheel_m", 15.0),
        out_rank=int(changes.get("out_rank", 30)),
    )
    if reading.state == "out_of_position" and reading.last_man is None:
        return "on his own"
    return reading.state


def test_the_states_from_exact_places() -> None:
    base = {4: 0.0, 3: 1.5, 2: 3.0, 21: 40.0, 22: 41.0}
    assert read({**base, 1: 4.5}) == "on_wheel"
    assert read({**base, 1: 13.0}) == "gap_opening"
    assert read({**base, 1: 30.0}) == "lost_wheel"
    assert read({**base, 1: 9.0, 23: 6.0}) == "boxed"
    assert read({**base, 1: 4.5}, out_rank=3) == "out_of_position"
    assert read({4: 10.0, 3: 11.5, 2: 13.0, 1: 0.0}) == "on his own"


def shuffled_frames(count: int, seed: int = 3) -> list[BunchFrame]:
    """Frames of `layout`, the other riders swapping places at random: no team of theirs rides
    together for long."""
    rng = random.Random(seed)
    places = layout()
    out: list[BunchFrame] = []
    for _ in range(count):
        shuffled = dict(places)
        others = list(OTHERS)
        rng.shuffle(others)
        for bib, metres in zip(others, sorted(places[b] for b in OTHERS), strict=True):
            shuffled[bib] = metres
        out.append(frames_of(shuffled, count=1))
    return out


def test_a_train_riding_at_the_front_is_detected_and_its_sprinter_confirmed_over_frames() -> None:
    detector = TrainDetector()
    team_of = {b: r.team for b, r in roster().riders.items()}
    for i, frame in enumerate(shuffled_frames(10), start=1):
        front = dict(front_trains(frame, team_of, 55.0))
        for code, (sprinter, lead) in TRAINS.items():
            assert front[code] == (*lead, sprinter)
        detector.observe(frame, list(front.items()))
        if i < MIN_FRAMES:
            assert detector.plans() == []  # a guess is not a sprinter
    plans = {p.team: p for p in detector.plans()}
    assert set(plans) == set(TRAINS)
    for code, (sprinter, lead) in TRAINS.items():
        assert plans[code].sprinter == sprinter
        assert plans[code].leadout == lead
        assert plans[code].source == "detected"


def test_no_sprinter_while_the_last_wheel_changes_hands() -> None:
    detector = TrainDetector()
    team_of = {b: r.team for b, r in roster().riders.items()}
    for i in range(12):
        # Riders 1 and 2 of AAA take turns on the last wheel, 10 m apart: neither is shown.
        last, before = (1, 2) if i % 2 else (2, 1)
        frame = frames_of({4: 0.0, 3: 1.5, before: 3.0, last: 13.0, 21: 20.0, 22: 21.0}, count=1)
        detector.observe(frame, front_trains(frame, team_of, 55.0))
    assert detector.sprinter("AAA") is None


def test_a_line_taken_apart_for_a_frame_stays_at_the_front() -> None:
    """A line one frame of noise takes apart stays listed, with its riders where they are now;
    two frames apart, it is gone; together again, it is back at once."""
    detector = TrainDetector()
    team_of = {b: r.team for b, r in roster().riders.items()}
    together = layout()
    # AAA's riders 40 m from one another, each with a rider of another team: no line.
    apart = {4: 0.0, 21: 1.0, 3: 40.0, 22: 41.0, 2: 80.0, 23: 81.0, 1: 120.0, 24: 121.0}
    apart |= {bib: 200.0 + i for i, bib in enumerate(b for b in BIBS if b not in apart)}
    listed: list[tuple[Bib, ...] | None] = []
    for places in (together, apart, apart, together):
        frame = frames_of(places, count=1)
        detector.observe(frame, front_trains(frame, team_of, 55.0))
        listed.append(dict(detector.at_front(frame)).get("AAA"))
    line = (*TRAINS["AAA"][1], TRAINS["AAA"][0])
    assert listed == [line, line, None, line]


def test_a_train_is_teammates_together_at_the_front() -> None:
    team_of = {b: r.team for b, r in roster().riders.items()}
    # AAA's 4 is a gap of 50 m behind the others; BBB has one rider in the first 20.
    places = {1: 0.0, 21: 1.0, 2: 2.0, 22: 3.0, 3: 6.0, 4: 60.0, 14: 61.0}
    places |= {bib: 62.0 + i for i, bib in enumerate(range(23, 41))}
    places[13] = 100.0  # 21st: not at the front
    frame = frames_of(places)
    front = dict(front_trains(frame, team_of, 55.0))
    assert front["AAA"] == (1, 2, 3)
    assert "BBB" not in front
    assert next(iter(front)) == "AAA"
    assert all(len(riders) >= 2 for riders in front.values())


@given(st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=8))
def test_ranks_follow_the_train_order_with_the_least_change(ranks: list[int]) -> None:
    out = in_order(ranks)
    assert len(out) == len(ranks)
    assert out[0] >= 1
    assert all(a < b for a, b in itertools.pairwise(out))
    if all(a < b for a, b in itertools.pairwise(ranks)):
        assert out == ranks


@st.composite
def listed_trains(draw: st.DrawFn) -> list[Train]:
    """Trains as the tracker lists them: each with its riders' ranks in its own order (from
    `in_order`), the ranks of different trains free to clash and to contradict the list's
    order; some out of the sprint (their places on the road)."""
    count = draw(st.integers(min_value=1, max_value=6))
    bibs = iter(range(1, 200))
    trains: list[Train] = []
    for n in range(count):
        size = draw(st.integers(min_value=1, max_value=5))
        ranks = in_order(draw(st.lists(st.integers(1, 40), min_size=size, max_size=size)))
        riders = tuple(
            TrainRider(bib=next(bibs), rank=rank, gap_m=None if j == 0 else 2.0)
            for j, rank in enumerate(ranks)
        )
        trains.append(
            Train(
                team=f"T{n:02d}",
                sprinter=riders[-1].bib,
                riders=riders,
                status=None,
                sprinter_rank=riders[-1].rank,
                in_contention=draw(st.booleans()) or n == 0,
            )
        )
    return trains


@given(listed_trains())
def test_the_trains_ranks_are_one_ranking_that_agrees_with_the_list(trains: list[Train]) -> None:
    out = ranked_as_listed(trains)
    assert [t.team for t in out] == [t.team for t in trains]
    racing = [t for t in out if t.in_contention]
    firsts = [t.front_rank for t in racing]
    assert all(a < b for a, b in itertools.pairwise(firsts)), "no train listed below ahead"
    shown = [r.rank for t in racing for r in t.riders]
    assert len(shown) == len(set(shown)), "no two riders in one place"
    for before, after in zip(trains, out, strict=True):
        assert [r.bib for r in after.riders] == [r.bib for r in before.riders]
        assert all(a.rank < b.rank for a, b in itertools.pairwise(after.riders))
        assert after.sprinter_rank == after.riders[-1].rank
        if not before.in_contention:
            assert after == before, "a train out of the sprint keeps its places on the road"
    agreeing = [t for t in trains if t.in_contention]
    ranks = [r.rank for t in agreeing for r in t.riders]
    heads = [t.front_rank for t in agreeing]
    if len(ranks) == len(set(ranks)) and heads == sorted(heads):
        assert out == trains, "ranks that agree already are kept as they are"
