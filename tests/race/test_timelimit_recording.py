"""The time-limit alerts on the real stage 5 recording (../shared/data/racecenter): no flicker.

Stage 5 (Lannemezan › Pau, flat) ends with everyone far inside the cut, so with the real
thresholds nothing but the arrivals is announced. With thresholds raised until the back of
the race crosses them, it shows what a real feed does to the alerts: riders go in and out of
the back of the bunch and of the small groups it sheds every few hundred metres, and margins
drift across a threshold. Worse news must still come at once; better news only once it holds.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from functools import cache

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from race.engine import Race
from race.models import Bib, FeedEvent
from race.situation import Alert
from race.timelimit.riders import RIDER_MEMORY_KM
from race.timelimit.settings import TimeLimitSettings
from tests.support.stages import STAGE_5, engine_settings, needs_stage_5

pytestmark = [pytest.mark.slow, needs_stage_5]

LAST_FINISHERS: tuple[Bib, ...] = (
    52, 58, 123, 125, 208, 43, 93, 163, 164, 168, 26, 46, 47, 48, 67, 73, 74, 87, 92, 103,
    108, 113, 117, 134, 145, 173, 175, 178, 184, 194, 196, 202, 223, 225, 226, 227, 98, 115,
    224, 192,
)  # fmt: skip
"""The 40 riders who finish last on stage 5 (the back of the race all day): the watched ones."""
RAISED = {"tight_margin_s": 800.0, "danger_margin_s": 650.0}
"""Thresholds the back of the race crosses: the peloton's margin is about 13-15 minutes."""


@cache
def events() -> tuple[FeedEvent, ...]:
    async def read() -> list[FeedEvent]:
        feed = RecordingFeed(RecordingOptions(path=STAGE_5, speed=0))
        return [event async for event in feed.events()]

    return tuple(asyncio.run(read()))


def time_limit_alerts(**settings: object) -> list[Alert]:
    race = Race(engine_settings(time_limit=TimeLimitSettings(watch=LAST_FINISHERS, **settings)))
    for event in events():
        situation = race.apply(event)
    return [a for a in situation.alerts if a.kind.startswith("time_limit")]


@dataclass(frozen=True)
class Told:
    status: str
    km_to_go: float
    names: tuple[str, ...]


def told(alert: Alert) -> Told:
    """What a transition alert tells, and to whom (the names it shows)."""
    shown = re.search(r"\(([^)]*)\)", alert.text)
    where = re.search(r"(\d+) km to go", alert.text)
    assert shown is not None
    assert where is not None
    names = tuple(n.strip() for n in re.sub(r" \+\d+$", "", shown.group(1)).split(","))
    return Told(alert.kind.removeprefix("time_limit_"), float(where.group(1)), names)


def test_with_the_real_cut_only_the_arrivals_are_announced() -> None:
    alerts = time_limit_alerts()
    assert [a.kind for a in alerts] == ["time_limit_finish", "time_limit_finish"]
    assert all(a.text.endswith("inside the time limit") for a in alerts)


def test_no_rider_is_told_one_thing_and_then_the_other_within_a_few_km() -> None:
    transitions = [told(a) for a in time_limit_alerts(**RAISED) if a.kind != "time_limit_finish"]
    last: dict[str, Told] = {}
    reversals = []
    for now in transitions:
        for name in now.names:
            before = last.get(name)
            if (
                before is not None
                and before.status != now.status
                and before.km_to_go - now.km_to_go < RIDER_MEMORY_KM
            ):
                reversals.append((name, before, now))
            last[name] = now
    assert reversals == []
    # Worse news still comes at once: riders dropped from the bunch 103 km from the line.
    assert any(t.status == "danger" and t.km_to_go == 103 for t in transitions)
    assert len(transitions) <= 20
