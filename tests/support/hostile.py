"""A stage whose names try to take over the terminal: escape sequences in every name, team and
place, written as a Race Center recording or as Ardoise's own."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path

from feeds.format.jsonl import RecordedEvent
from feeds.racecenter.encoding import rest_records, update_line
from race.models import FeedEvent, Rider, StartList, Team, Telemetry

SET_TITLE = "\x1b]0;pwned\x07"
"""OSC 0: sets the terminal's title to "pwned"."""
LEAVE_ALTERNATE = "\x1b[?1049l"
"""Leaves the alternate screen (a full-screen app is thrown out of its screen)."""
CLEAR = "\x1b[2J"
"""Clears the screen."""
SEQUENCES = (SET_TITLE, LEAVE_ALTERNATE, CLEAR)
DATE = "2026-07-08"


def hostile(text: str, index: int) -> str:
    """`text` with one of the sequences in front, chosen by `index`."""
    return SEQUENCES[index % len(SEQUENCES)] + text


def hostile_start_list(start: StartList) -> StartList:
    """`start` with a sequence in every rider's names, every team's name and code, and the
    stage's places and climbs (the models take any text: only a feed's reader cleans it)."""
    codes = {team.code: hostile(team.code, i) for i, team in enumerate(start.teams)}
    stage = start.stage
    return start.model_copy(
        update={
            "stage": stage.model_copy(
                update={
                    "start": hostile(stage.start, 0),
                    "finish": hostile(stage.finish, 1) + "\x1b[0m",
                    "climbs": tuple(
                        c.model_copy(update={"name": hostile(c.name, i)})
                        for i, c in enumerate(stage.climbs)
                    ),
                }
            ),
            "teams": tuple(
                Team(code=codes[t.code], name=hostile(t.name, i + 1))
                for i, t in enumerate(start.teams)
            ),
            "riders": tuple(
                Rider(
                    bib=r.bib,
                    first_name=r.first_name + "\x07",
                    last_name=hostile(r.last_name, r.bib),
                    team=codes.get(r.team, r.team),
                    nationality=r.nationality,
                    role=r.role,
                )
                for r in start.riders
            ),
        }
    )


def write_racecenter(path: Path, start: StartList, frames: Sequence[Telemetry]) -> Path:
    """A Race Center recording (gzip) of `start` and `frames`, as the Race Center sends them."""
    year = start.stage.year
    number = start.stage.number or 0
    binds = rest_records(start)
    stage_record = binds[f"stage-{year}"][0]
    document = {
        "version": 1,
        "meta": {"date": DATE, "year": year},
        "rest": {
            "riders": binds[f"allCompetitors-{year}"],
            "teams": binds[f"team-{year}"],
            "stages": {DATE: stage_record},
            "trace": binds.get(f"trace-{year}-{number}"),
            "checkpoints": binds[f"checkpoint-{year}-{number}"],
        },
        "events": [{"dt": 6.0, "data": update_line(frame, year)} for frame in frames],
    }
    path.write_bytes(gzip.compress(json.dumps(document, ensure_ascii=False).encode("utf-8")))
    return path


def write_ardoise(path: Path, events: Sequence[FeedEvent]) -> Path:
    """An Ardoise recording of `events` as another program could write it: not cleaned (the
    format's own writer cleans what it writes)."""
    lines = []
    for i, event in enumerate(events):
        raw = json.loads(event.model_dump_json())  # Dumping does not validate: the text stays.
        lines.append(json.dumps({"at": 1000.0 + i, "event": raw}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def strings(event: FeedEvent | RecordedEvent) -> list[str]:
    """Every string of an event, keys included: what could reach a terminal."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                found.append(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(event.model_dump_json()))
    return found


def controls(text: str) -> list[str]:
    """The C0 and C1 control characters in `text`, DEL included."""
    return [c for c in text if c < " " or "\x7f" <= c <= "\x9f"]
