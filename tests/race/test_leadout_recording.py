"""Trains detected on a real bunch sprint: Stage 5 of the 2026 Tour, Lannemezan › Pau.

The Race Center does not say who rides for whom, so every train there is detected. What the
data shows is established here first, from the raw fixes alone (no engine): the teams with at
least two riders in the first ten on the road in most frames of the last 2 km. Then the engine
must have found trains for those teams, at the front.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections import Counter
from functools import cache
from typing import Any

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.racecenter.wire import parse_update, stage_record, start_list
from race.engine import Race
from race.models import Telemetry
from race.situation import Situation
from race.tracking.geometry import RouteLine
from tests.support.stages import STAGE_5, engine_settings, needs_stage_5

pytestmark = [pytest.mark.slow, needs_stage_5]

LAST_KM = (0.25, 2.0)
"""The last 2 km, up to where the last lead-out man releases his sprinter."""
TEAMS_AT_THE_FRONT = {"XAT", "COF", "NSN"}
"""What the data shows (see `test_the_data_shows_which_teams_led_the_last_2_km`): XDS Astana
(Ballerini, Gate, Kanter, Teunissen), Cofidis (Page for Fretin) and NSN (Van Asbroeck for
Girmay). Alpecin's Rickaert and Uno-X's riders were at the front too, but rarely with a
teammate beside them in the first ten."""


@cache
def raw_front_counts() -> tuple[int, Counter[str]]:
    """Frames of the last 2 km, and per team the frames with 2+ riders in the first ten, the
    riders placed from their GPS fix on the route (km to go comes in 10 m steps)."""
    with gzip.open(STAGE_5, "rt", encoding="utf-8") as stream:
        document: dict[str, Any] = json.load(stream)
    rest = document["rest"]
    start = start_list(
        race="Tour de France",
        year=2026,
        stage=stage_record(rest["stages"], date=document["meta"]["date"]),
        riders=rest["riders"],
        teams=rest["teams"],
        trace=rest.get("trace"),
        checkpoints=rest.get("checkpoints"),
    )
    team_of = {r.bib: r.team for r in start.riders}
    route = RouteLine(start.stage.profile, start.stage.distance_km)
    frames = 0
    counts: Counter[str] = Counter()
    for entry in document["events"]:
        frame = parse_update(entry["data"])
        if frame is None:
            continue
        fixes = [f for f in frame.riders if f.km_to_finish is not None and not f.finished]
        if not fixes:
            continue
        head = min(f.km_to_finish for f in fixes if f.km_to_finish is not None)
        if not LAST_KM[0] < head <= LAST_KM[1]:
            continue
        frames += 1
        placed: dict[int, float] = {}
        for fix in fixes:
            km = fix.km_to_finish
            assert km is not None
            if fix.lat is not None and fix.lon is not None and km - head < 3.0:
                km = route.km_to_finish(fix.lat, fix.lon, km) or km
            placed[fix.bib] = km
        first_ten = sorted(placed, key=lambda b: (placed[b], b))[:10]
        for team, riders in Counter(team_of[b] for b in first_ten).items():
            if riders >= 2:
                counts[team] += 1
    return frames, counts


@cache
def engine_finale() -> list[Situation]:
    """The engine's situations over the last 2 km, from the recording adapter."""
    feed = RecordingFeed(RecordingOptions(path=STAGE_5, speed=0))
    race = Race(engine_settings())
    out: list[Situation] = []

    async def read() -> None:
        async for event in feed.events():
            situation = race.apply(event)
            head = situation.head_km_to_finish
            if (
                isinstance(event, Telemetry)
                and head is not None
                and LAST_KM[0] < head <= LAST_KM[1]
                and not situation.winner_finished
            ):
                out.append(situation)

    asyncio.run(read())
    return out


def test_the_data_shows_which_teams_led_the_last_2_km() -> None:
    frames, counts = raw_front_counts()
    assert frames >= 15
    led = {team for team, n in counts.items() if n >= frames / 2}
    assert led == TEAMS_AT_THE_FRONT


def test_detection_finds_the_teams_that_led() -> None:
    situations = engine_finale()
    assert len(situations) >= 15
    assert all(t.source == "detected" for s in situations for t in s.leadout)
    at_front: Counter[str] = Counter()
    for situation in situations:
        for t in situation.leadout:
            if min(r.rank for r in t.riders) <= 10:
                at_front[t.team] += 1
    for team in TEAMS_AT_THE_FRONT:
        assert at_front[team] >= 5, (team, at_front)
    # The sprinters the lines show: NSN rode for Girmay, Cofidis for Fretin.
    last = {t.team: t.sprinter for t in situations[-1].leadout}
    assert last["NSN"] == 131
    assert last["COF"] == 165


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
            assert t.riders[-1].bib == t.sprinter
            assert t.confidence is not None
            assert 0.0 <= t.confidence <= 1.0
