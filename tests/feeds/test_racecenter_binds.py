"""The Race Center's updates read for one stage (`feeds.racecenter.updates`): whose frame it is,
the organiser's groups, withdrawals and the weather at the checkpoints."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.racecenter.binds import bind_parts
from feeds.racecenter.encoding import rest_records
from feeds.racecenter.stages import EARLIER_THAN_START_S
from feeds.racecenter.updates import UpdateReader
from feeds.racecenter.wire import FormatError, sprints_from_checkpoints
from race.engine import Race
from race.models import (
    RaceNews,
    ReportedGroups,
    Rider,
    Sprint,
    Stage,
    StartList,
    Telemetry,
    Weather,
)
from tests.support.stages import STAGE_5, engine_settings, needs_stage_5

START = 1_783_512_900.0
"""The scheduled start of the made-up stage 5 (UNIX s)."""
ESC = "\x1b]0;pwned\x07"


def start_list(scheduled: float | None = START) -> StartList:
    stage = Stage(
        race="Tour de France", year=2026, number=5, distance_km=158.3, scheduled_start=scheduled
    )
    riders = (
        Rider(bib=11, first_name="Tadej", last_name="POGAČAR", team="UAD"),
        Rider(bib=21, first_name="Jonas", last_name="VINGEGAARD", team="TVL"),
    )
    return StartList(stage=stage, riders=riders)


def reader(scheduled: float | None = START) -> UpdateReader:
    read = UpdateReader()
    read.start(start_list(scheduled))
    return read


def update(bind: str, data: Any) -> str:
    return json.dumps({"bind": bind, "data": data})


def frame(
    t: float,
    *,
    stage_id: str | None = None,
    racing: bool | None = None,
    km: float = 80.0,
    status: str = "active",
) -> str:
    data: dict[str, Any] = {
        "TimeStamp": t,
        "Riders": [{"Bib": 11, "kmToFinish": km, "Status": status}, {"Bib": 21, "kmToFinish": km}],
    }
    if stage_id is not None:
        data["StageId"] = stage_id
    if racing is not None:
        data["RaceStatus"] = racing
    return update("telemetryCompetitor-2026", data)


FINISHED: dict[str, Any] = {"km": 0.0, "status": "finished", "racing": False}


# --- Whose frame ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (frame(START + 600, stage_id="400"), "stage 4's frame"),
        (frame(START - EARLIER_THAN_START_S - 7200), "a frame from 14 h before the start"),
        (frame(START - 3600, **FINISHED), "a finished race before the start"),
    ],
    ids=["StageId", "long before the start", "finished before the start"],
)
def test_frames_of_another_stage(text: str, reason: str) -> None:
    read = reader()
    assert read.read(text) == []
    assert read.other_stage == 1
    assert read.other_stage_reason == reason
    assert read.other_stage_said() == f"1 frame of another stage ignored ({reason})"


@pytest.mark.parametrize(
    "text",
    [
        frame(START - 3 * 86_400, stage_id="500", **FINISHED),
        frame(START + 4 * 3600, **FINISHED),
        frame(START - 1800, racing=True),
        frame(START - 3600),
    ],
    ids=["its own StageId, whatever else", "finished after the start", "pre-start", "no facts"],
)
def test_frames_of_this_stage(text: str) -> None:
    read = reader()
    events = read.read(text)
    assert len(events) == 1
    assert isinstance(events[0], Telemetry)
    assert read.other_stage == 0


def test_without_a_schedule_a_finished_race_is_another_stage_only_before_any_frame() -> None:
    read = reader(scheduled=None)
    assert read.read(frame(1000.0, **FINISHED)) == []
    assert len(read.read(frame(2000.0, racing=True))) == 1
    assert len(read.read(frame(9000.0, **FINISHED))) == 1
    assert read.other_stage == 1


def test_nothing_judged_before_the_stage_is_known() -> None:
    events = UpdateReader().read(frame(START - 86_400, stage_id="400"))
    assert len(events) == 1


# --- The organiser's groups ------------------------------------------------------------------


PACK = {
    "_updatedAt": 1_783_520_000_000,
    "groups": [
        {
            "order": 1,
            "name": "Peloton",
            "size": 999,
            "bibs": [{"bib": 21}, {"bib": 1}, {"bib": "x"}],
            "computedRelative": 95,
            "remainingDistance": 61_400,
            "computedSpeed": 44.2,
        },
        {
            "order": 0,
            "name": f"Gr. Maillot Vert{ESC}",
            "size": 3,
            "bibs": [{"bib": 11}],
            "relative": 0,
            "latitude": 43.1,
            "longitude": -0.3,
        },
    ],
}


def test_pack_becomes_the_organisers_groups() -> None:
    (groups,) = reader().read(update("pack-2026-5", PACK))
    assert isinstance(groups, ReportedGroups)
    assert groups.t == 1_783_520_000.0
    head, peloton = groups.groups
    assert head.name == "Gr. Maillot Vert\ufffd", "cleaned"
    assert (head.order, head.bibs, head.size, head.gap_s) == (0, (11,), 3, 0.0)
    assert (head.km_to_finish, head.lat) == (None, 43.1)
    assert peloton.bibs == (21, 1)
    assert peloton.size == 2, "999 is a placeholder: the riders named"
    assert (peloton.gap_s, peloton.km_to_finish, peloton.speed_kmh) == (95.0, 61.4, 44.2)


def test_pack_from_a_rest_answer_takes_the_latest_record() -> None:
    older = {**PACK, "_updatedAt": 1, "groups": [{"name": "old"}]}
    (groups,) = reader().read(update("pack-2026-5", [{"_bind": "other"}, PACK, older]))
    assert isinstance(groups, ReportedGroups)
    assert groups.groups[1].name == "Peloton"


def test_bad_and_foreign_binds() -> None:
    read = reader()
    with pytest.raises(FormatError, match="no groups"):
        read.read(update("pack-2026-5", {"groups": "none"}))
    with pytest.raises(FormatError, match="no rankings"):
        read.read(update("stageWithdrawals-2026-5", {"rankings": 3}))
    with pytest.raises(FormatError, match="not an object"):
        read.read(update("checkpoint-2026-5", "text"))
    assert read.read(update("pack-2026-4", PACK)) == [], "another stage's"
    assert read.read(update("rankingTypeArrival-2026-5", {})) == []
    assert read.ignored == 2
    assert bind_parts("pack-2026-5") == ("pack", 2026, 5)
    assert bind_parts("telemetryCompetitor-2026") == ("telemetryCompetitor", 2026, None)


# --- Withdrawals -----------------------------------------------------------------------------


def test_withdrawals_are_abandons_told_once() -> None:
    read = reader()
    read.read(frame(START + 3600))
    first = read.read(update("stageWithdrawals-2026-5", {"rankings": [{"bib": 11}, {"bib": 77}]}))
    assert all(isinstance(e, RaceNews) for e in first)
    news = [e for e in first if isinstance(e, RaceNews)]
    assert [(n.category, n.riders, n.t) for n in news] == [
        ("abandon", (11,), START + 3600),
        ("abandon", (77,), START + 3600),
    ]
    assert news[0].text == "#11 T. Pogačar (UAD) has abandoned"
    assert news[1].text == "#77 has abandoned"
    again = read.read(update("stageWithdrawals-2026-5", {"rankings": [{"bib": 11}, {"bib": 21}]}))
    assert [e.riders for e in again if isinstance(e, RaceNews)] == [(21,)]


# --- The weather -----------------------------------------------------------------------------


@needs_stage_5
def test_weather_from_the_real_checkpoints() -> None:
    with gzip.open(STAGE_5, "rt", encoding="utf-8") as stream:
        checkpoints = json.load(stream)["rest"]["checkpoints"]
    read = reader()
    read.read(frame(START + 60))
    (report,) = read.read(update("checkpoint-2026-5", checkpoints[0]))
    assert isinstance(report, Weather)
    assert report.t == START + 60
    first = report.readings[0]
    assert first.place.startswith("LANNEMEZAN")
    assert (first.km, first.temperature_c, first.wind_direction, first.wind_force) == (
        0.0,
        25.8,
        "NNE",
        2.0,
    )
    assert first.sky == "ciel dégagé"
    kms = [r.km for r in report.readings]
    assert kms == sorted(kms)  # type: ignore[type-var]
    assert read.read(update("checkpoint-2026-5", checkpoints[0])) == [], "unchanged: not again"


def test_the_groups_and_the_weather_leave_the_analysis_alone() -> None:
    race = Race(engine_settings())
    race.apply(start_list())
    before = race.situation
    (groups,) = reader().read(update("pack-2026-5", PACK))
    after = race.apply(groups)
    after = race.apply(Weather(t=START, readings=()))
    # Only the organiser's part changes (`race.reported`): no frame yet, its groups stand in.
    assert [g.name for g in after.organiser_groups] == ["Gr. Maillot Vert\ufffd", "Peloton"]
    organisers = {"events_applied": 0, "organiser_groups": (), "organiser_groups_basis": ""}
    assert after.model_copy(update=organisers) == before.model_copy(update=organisers)


@needs_stage_5
def test_a_replay_tells_the_weather_of_the_stage_records() -> None:
    """The stream may never update the checkpoints: their weather comes with the start list
    (a replay here; the live adapter does the same after its REST records)."""

    async def first_events() -> list[Any]:
        feed = RecordingFeed(RecordingOptions(path=STAGE_5, speed=0))
        events: list[Any] = []
        async for event in feed.events():
            events.append(event)
            if isinstance(event, Telemetry):
                await feed.aclose()
                return events
        return events

    events = asyncio.run(first_events())
    kinds = [e.kind for e in events if e.kind != "status"]
    assert kinds[:3] == ["start_list", "weather", "telemetry"]
    (report,) = (e for e in events if isinstance(e, Weather))
    assert report.readings[0].place.startswith("LANNEMEZAN")
    race = Race(engine_settings())
    for event in events:
        race.apply(event)
    assert race.situation.weather is not None


@needs_stage_5
def test_the_intermediate_sprint_from_the_real_checkpoints_and_through_the_relay() -> None:
    """Pau's checkpoints: one intermediate sprint at Vic-en-Bigorre (km 113.5); the finish also
    carries the sprint type, and is the finish, not a sprint."""
    with gzip.open(STAGE_5, "rt", encoding="utf-8") as stream:
        checkpoints = json.load(stream)["rest"]["checkpoints"]
    assert sprints_from_checkpoints(checkpoints) == (Sprint(name="VIC-EN-BIGORRE", km=113.5),)
    stage = Stage(
        race="Test",
        year=2026,
        number=5,
        distance_km=158.2,
        sprints=(Sprint(name="VIC-EN-BIGORRE", km=113.5),),
    )
    relayed = rest_records(StartList(stage=stage), first_t=START)["checkpoint-2026-5"]
    assert sprints_from_checkpoints(relayed) == stage.sprints


def test_sprints_that_cannot_be_placed_are_left_out() -> None:
    checkpoints = {
        "0": {"length": "nan", "place": "X", "checkpointTypes": [{"type": "sprint"}]},
        "1": {"place": "Y", "checkpointTypes": [{"type": "sprint"}]},
        "2": {"length": 40, "checkpointTypes": [{"type": "sprint"}, "junk"]},
        "3": ["not", "a", "checkpoint"],
    }
    assert sprints_from_checkpoints(checkpoints) == (Sprint(name="sprint", km=40.0),)
