"""The Race Center read live cleans its names: `ardoise serve --as racecenter` relays a Race
Center recording verbatim, escape sequences in its names included."""

from __future__ import annotations

import asyncio
from itertools import islice
from pathlib import Path

import pytest

from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from feeds.simulation import simulate
from feeds.text import PLACEHOLDER as P
from race.models import StartList, Telemetry
from tests.e2e.test_live_e2e import ardoise_serve, recording_config
from tests.support.hostile import SET_TITLE, controls, hostile_start_list, strings, write_racecenter
from tests.support.stages import SEED

pytestmark = pytest.mark.slow


async def first_start_list(feed: RaceCenterFeed) -> StartList:
    try:
        async with asyncio.timeout(30):
            async for event in feed.events():
                if isinstance(event, StartList):
                    return event
    finally:
        await feed.aclose()
    raise AssertionError("the feed ended without a start list")


async def test_racecenter_adapter_cleans_names_relayed_verbatim(tmp_path: Path) -> None:
    events = list(islice(simulate("flat", SEED), 20))
    start = events[0]
    assert isinstance(start, StartList)
    frames = [e for e in events if isinstance(e, Telemetry)]
    recording = write_racecenter(tmp_path / "hostile.json.gz", hostile_start_list(start), frames)
    with ardoise_serve(recording_config(tmp_path, recording), "--as", "racecenter") as url:
        options = RaceCenterOptions(
            base_url=url, year=start.stage.year, stage=start.stage.number, race=f"Tour{SET_TITLE}"
        )
        received = await first_start_list(RaceCenterFeed(options))
    assert not [text for text in strings(received) if controls(text)]
    assert received.stage.race == f"Tour{P}"
    assert received.stage.start == P + start.stage.start
    by_bib = {rider.bib: rider for rider in start.riders}
    assert all(r.last_name == P + by_bib[r.bib].last_name for r in received.riders)
    assert {t.name for t in received.teams} == {P + t.name for t in start.teams}
