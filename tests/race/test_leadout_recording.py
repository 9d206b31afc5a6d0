"""Trains detected on a real bunch sprint: Stage 5 of the 2026 Tour, Lannemezan › Pau.

The Race Center does not say who rides for whom, so every train there is detected. What the
data shows is established here first, from the raw fixes alone (no engine): the teams with at
least two riders in the first ten on the road in most frames of the last 2 km. Then the engine
must have found trains for those teams, at the front.
"""

from __future__ import annotations

from collections import Counter

import pytest

from race.situation import Situation
from tests.support.leadout_measure import (
    LAST_KM,
    engine_situations,
    pau_scores,
    ranking_problems,
    report,
    road_frames,
)
from tests.support.stages import STAGE_5, needs_stage_5

pytestmark = [pytest.mark.slow, needs_stage_5]

TEAMS_AT_THE_FRONT = {"XAT", "COF", "NSN"}
"""What the data shows (see `test_the_data_shows_which_teams_led_the_last_2_km`): XDS Astana
(Ballerini, Gate, Kanter, Teunissen), Cofidis (Page for Fretin) and NSN (Van Asbroeck for
Girmay). Alpecin's Rickaert and Uno-X's riders were at the front too, but rarely with a
teammate beside them in the first ten."""
LISTED_SHARE = 0.8
"""Each team with two riders in the first ten is listed in at least 80 % of those frames."""
ASTANA_AT_THE_FRONT_T = 1783525464
"""1.15 km to go: Ballerini (62) and Gate (63) first and second, Kanter (64) and Teunissen (66)
around 10th."""


def engine_finale() -> list[Situation]:
    """The engine's situations over the last 2 km."""
    return [
        situation
        for _, situation in sorted(engine_situations(STAGE_5).items())
        if situation.head_km_to_finish is not None
        and LAST_KM[0] < situation.head_km_to_finish <= LAST_KM[1]
        and not situation.winner_finished
    ]


def test_the_data_shows_which_teams_led_the_last_2_km() -> None:
    frames = road_frames(STAGE_5)
    assert len(frames) >= 15
    counts = Counter(team for frame in frames for team in frame.teams_at_front(10))
    led = {team for team, n in counts.items() if n >= len(frames) / 2}
    assert led == TEAMS_AT_THE_FRONT


def test_every_team_with_two_riders_in_the_first_ten_is_listed() -> None:
    """The measure (`tests.support.leadout_measure`, printed by `bench/leadout_detection.py`)."""
    scores = pau_scores(STAGE_5)
    print("\n" + "\n".join(report(scores)))
    ten = scores[10]
    assert set(TEAMS_AT_THE_FRONT) <= set(ten)
    for team, result in ten.items():
        assert result.listed_share >= LISTED_SHARE, (team, result)
    assert sum(r.in_order for r in ten.values()) >= 0.8 * sum(r.frames for r in ten.values())


def test_astana_leads_at_1150_m_to_go() -> None:
    situation = engine_situations(STAGE_5)[ASTANA_AT_THE_FRONT_T]
    assert situation.head_km_to_finish is not None
    assert 1.1 <= situation.head_km_to_finish <= 1.2
    astana = next(t for t in situation.leadout if t.team == "XAT")
    bibs = [r.bib for r in astana.riders]
    assert bibs[:2] == [62, 63]
    assert len(set(bibs) & {62, 63, 64, 66}) >= 3
    assert situation.leadout[0].team == "XAT"  # front first
    # The data does not say who Astana rides for yet: no sprinter, no state.
    assert astana.sprinter is None
    assert astana.status is None


def test_a_real_finale_reads_with_its_uncertainty() -> None:
    for situation in engine_finale():
        finale = situation.finale
        assert finale.active
        assert finale.noise_m is not None
        assert finale.noise_m > 0
        assert finale.resolution_m is not None
        assert 50 <= finale.resolution_m <= 150
        for t in situation.leadout:
            ranks = [r.rank for r in t.riders]
            assert ranks == sorted(ranks)
            assert ranks[0] >= 1
            if t.sprinter is None:
                # Detected, its sprinter not shown yet: riders in road order, no state.
                assert len(t.riders) >= 2
                assert t.status is None
                assert t.confidence is None
                continue
            assert t.riders[-1].bib == t.sprinter
            if t.status is not None:
                assert t.confidence is not None
                assert 0.0 <= t.confidence <= 1.0


def test_the_lead_out_list_agrees_with_its_own_ranks_on_a_real_finale() -> None:
    situations = [s for s in engine_situations(STAGE_5).values() if len(s.leadout) >= 2]
    assert len(situations) > 100
    for situation in situations:
        assert not ranking_problems(situation), (situation.t, ranking_problems(situation))
