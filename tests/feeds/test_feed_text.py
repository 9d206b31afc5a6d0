"""Every format's reader cleans the text a feed gives: names, teams, places, news, statuses,
and the reasons bad input is refused with. And a Race Center frame's numbers sent as strings."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.sse import SseFeed, SseOptions
from feeds.base import FeedError
from feeds.format.jsonl import LineError, decode, encode
from feeds.format.wire import WireEvent
from feeds.racecenter.wire import FormatError, parse_update, stage_record, start_list
from feeds.simulation import simulate
from feeds.text import PLACEHOLDER as P
from race.models import FeedEvent, FeedStatus, RaceNews, StartList, Telemetry
from tests.support.hostile import (
    CLEAR,
    SET_TITLE,
    controls,
    hostile_start_list,
    strings,
    write_ardoise,
    write_racecenter,
)
from tests.support.stages import SEED


def simulated(count: int) -> tuple[StartList, list[Telemetry]]:
    events = list(islice(simulate("flat", SEED), count))
    start = events[0]
    assert isinstance(start, StartList)
    return start, [e for e in events if isinstance(e, Telemetry)]


async def replay(path: Path, **options: object) -> list[FeedEvent]:
    feed = RecordingFeed(RecordingOptions.model_validate({"path": path, "speed": 0, **options}))
    return [event async for event in feed.events()]


def assert_clean(event: FeedEvent) -> None:
    dirty = [text for text in strings(event) if controls(text)]
    assert not dirty, dirty


def assert_cleaned_names(clean: StartList, original: StartList) -> None:
    """Every name of `clean` is the original's with a placeholder where a sequence was."""
    by_bib = {r.bib: r for r in original.riders}
    for rider in clean.riders:
        assert rider.last_name == P + by_bib[rider.bib].last_name
        assert rider.first_name == by_bib[rider.bib].first_name + P
        assert rider.team.startswith(P)
    assert {t.code for t in clean.teams} == {P + t.code for t in original.teams}
    assert {t.name for t in clean.teams} == {P + t.name for t in original.teams}
    assert clean.stage.start == P + original.stage.start
    assert clean.stage.finish == P + original.stage.finish + P
    assert [c.name for c in clean.stage.climbs] == [P + c.name for c in original.stage.climbs]


async def test_a_race_center_recording_s_names_are_cleaned(tmp_path: Path) -> None:
    start, frames = simulated(6)
    path = write_racecenter(tmp_path / "stage.json.gz", hostile_start_list(start), frames)
    events = await replay(path, race=f"Tour{SET_TITLE}de France")
    replayed = events[1]
    assert isinstance(replayed, StartList)
    assert_clean(replayed)
    assert replayed.stage.race == f"Tour{P}de France"
    assert_cleaned_names(replayed, start)
    assert [e.t for e in events if isinstance(e, Telemetry)] == [f.t for f in frames]


def test_race_center_records_read_live_are_cleaned_too() -> None:
    """The live adapter builds its start list with the same function as the recordings."""
    stage = {
        "stage": 5,
        "length": 150,
        "departureCity": {"label": f"Pau{CLEAR}"},
        "arrivalCity": {"label": "Lourdes\u202e"},
    }
    riders = [{"bib": 1, "firstname": "Tadej\x00", "lastname": f"{SET_TITLE}P", "$team": "t:1"}]
    teams = [{"_id": "1", "code": "UAD\x9b", "name": "UAE\nTeam"}]
    start = start_list(race="Tour\x1b", year=2026, stage=stage, riders=riders, teams=teams)
    assert_clean(start)
    assert (start.stage.race, start.stage.start, start.stage.finish) == (
        f"Tour{P}",
        f"Pau{P}",
        f"Lourdes{P}",
    )
    rider = start.riders[0]
    assert (rider.first_name, rider.last_name, rider.team) == (f"Tadej{P}", f"{P}P", f"UAD{P}")
    assert start.teams[0].name == "UAE Team"


def test_a_race_center_refusal_quoting_the_feed_is_cleaned() -> None:
    with pytest.raises(FormatError) as refused:
        stage_record({}, date=f"2026{SET_TITLE}")
    assert "\x1b" not in str(refused.value)
    assert f"2026{P}" in str(refused.value)


async def test_an_ardoise_recording_s_names_and_news_are_cleaned(tmp_path: Path) -> None:
    start, frames = simulated(4)
    news = RaceNews(t=frames[0].t, category="crash", text=f"Crash!{CLEAR}\x1b[?1049l", riders=(1,))
    path = write_ardoise(tmp_path / "stage.jsonl", [hostile_start_list(start), *frames, news])
    assert "\\u001b" in path.read_text(encoding="utf-8")  # The file does hold the sequences.
    events = await replay(path)
    replayed = next(e for e in events if isinstance(e, StartList))
    assert_cleaned_names(replayed, start)
    said = next(e for e in events if isinstance(e, RaceNews))
    assert (said.text, said.category, said.riders) == (f"Crash!{P}{P}", "crash", (1,))
    for event in events:
        assert_clean(event)


def test_the_served_format_is_cleaned_as_it_is_read() -> None:
    """`http` and `sse` read `WireEvent`s: the same cleaning as the recordings."""
    start, _ = simulated(1)
    raw = json.loads(hostile_start_list(start).model_dump_json())
    text = json.dumps({"id": 0, "at": 1.0, "event": raw})
    for wire in (WireEvent.model_validate_json(text), WireEvent.model_validate(json.loads(text))):
        assert isinstance(wire.event, StartList)
        assert_cleaned_names(wire.event, start)


def test_what_ardoise_records_is_clean_whatever_it_is_given() -> None:
    start, _ = simulated(1)
    line = encode(hostile_start_list(start), at=1.0)
    assert "\\u001b" not in line
    assert "\\u0007" not in line
    assert_clean(decode(line).event)


def test_a_line_refused_for_a_hostile_tag_says_so_cleanly() -> None:
    line = json.dumps({"at": 1, "event": {"kind": f"x{SET_TITLE}", "t": 1}})
    with pytest.raises(LineError) as refused:
        decode(line)
    assert not controls(str(refused.value))


async def test_a_network_feed_s_statuses_are_cleaned() -> None:
    """Statuses quote the server (a reason phrase, an event's id and why it was refused)."""
    feed = SseFeed(SseOptions(url="http://127.0.0.1:9/stream"))
    status = feed.status("live", f"event 7{SET_TITLE}: HTTP 500 {CLEAR}")
    assert isinstance(status, FeedStatus)
    assert status.detail == f"event 7{P}: HTTP 500 {P}"


def test_a_feed_error_never_quotes_a_control_character() -> None:
    assert str(FeedError(f"stage.json: invalid literal for int(): '{CLEAR}'")) == (
        f"stage.json: invalid literal for int(): '{P}'"
    )


# --- Numbers as strings in a Race Center frame -----------------------------------------------


def update(**rider: object) -> str:
    fix = {"Bib": 7, **rider}
    return json.dumps(
        {"bind": "telemetryCompetitor-2026", "data": {"TimeStamp": 1000, "Riders": [fix]}}
    )


def test_numbers_sent_as_strings_are_read() -> None:
    frame = parse_update(update(kmToFinish="12.5", kph="44.1", Latitude="43.1", Longitude="-0.37"))
    assert frame is not None
    fix = frame.riders[0]
    assert (fix.km_to_finish, fix.speed_kmh, fix.lat, fix.lon) == (12.5, 44.1, 43.1, -0.37)
    stamped = parse_update(
        json.dumps(
            {"bind": "telemetryCompetitor-2026", "data": {"TimeStamp": "1000", "Riders": []}}
        )
    )
    assert stamped is not None
    assert stamped.t == 1000.0


def test_a_string_that_is_no_number_names_its_field() -> None:
    with pytest.raises(FormatError) as refused:
        parse_update(update(kmToFinish="twelve"))
    assert str(refused.value).startswith("Riders.0.kmToFinish: ")
    assert "without a frame" not in str(refused.value)
    with pytest.raises(FormatError, match=r"^Riders\.0\.Bib: "):
        parse_update(update(Bib="seven"))


async def test_a_recording_with_numbers_as_strings_rejects_nothing(tmp_path: Path) -> None:
    start, frames = simulated(4)
    path = write_racecenter(tmp_path / "stage.json.gz", start, frames)
    as_numbers = [e for e in await replay(path) if isinstance(e, Telemetry)]
    document = json.loads(gzip.decompress(path.read_bytes()))
    for entry in document["events"]:  # Every number of every frame written as a string.
        data = json.loads(entry["data"])
        for fix in data["data"]["Riders"]:
            for key, value in fix.items():
                if isinstance(value, float):
                    fix[key] = str(value)
        entry["data"] = json.dumps(data)
    path.write_text(json.dumps(document), encoding="utf-8")
    assert '\\"kmToFinish\\": \\"' in path.read_text(encoding="utf-8")
    events = await replay(path)
    replayed = [e for e in events if isinstance(e, Telemetry)]
    assert len(replayed) == len(frames)
    assert replayed == as_numbers
    last = events[-1]
    assert isinstance(last, FeedStatus)
    assert (last.state, last.rejected) == ("ended", 0)
