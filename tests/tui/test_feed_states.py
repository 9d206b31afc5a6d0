"""The header while the feed has nothing to show: a rest day, stages not published. The app on
a `racecenter` feed against a small Race Center on 127.0.0.1."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.racecenter.adapter import RaceCenterFeed, RaceCenterOptions
from race.models import FeedStatus
from tests.support.app import header_text, holds, wait_for
from tests.support.racecenter_site import (
    YEAR,
    RaceCenterSite,
    rider_records,
    serving,
    stage_records,
)
from tests.support.stages import engine_settings
from tui.app import ArdoiseApp
from tui.widgets.header import RaceHeader

REST_DAY = "2026-07-06T12:00"
"""Between stage 2 (the 5th) and stage 3 (the 7th) of `stage_records(date(2026, 7, 4))`."""


def paris(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Paris")).timestamp()


def app_on(url: str, tmp_path: Path, at: str) -> tuple[ArdoiseApp, RaceCenterFeed]:
    options = RaceCenterOptions(
        base_url=url,
        year=YEAR,
        cache_dir=tmp_path,
        poll_s=0.1,
        backoff_initial_s=0.1,
        backoff_max_s=0.5,
    )
    adapter = RaceCenterFeed(options, now=lambda: paris(at))
    return ArdoiseApp(adapter, engine_settings(), feed_label="racecenter"), adapter


async def test_a_rest_day_on_screen(tmp_path: Path) -> None:
    site = RaceCenterSite(
        records={
            f"stage-{YEAR}": stage_records(date(2026, 7, 4)),
            f"allCompetitors-{YEAR}": rider_records(),
        }
    )
    with serving(site) as url:
        app, _ = app_on(url, tmp_path, REST_DAY)
        async with app.run_test(size=(110, 30)):
            line = "racecenter: Rest day · Stage 3 tomorrow, 13:05"
            await wait_for(lambda: line in header_text(app, "feed-status"), within=10)
            status = app.query_one(RaceHeader).query_one("#feed-status")
            assert status.has_class("-waiting")
            polls = site.count(f"/api/stage-{YEAR}")
            await wait_for(lambda: site.count(f"/api/stage-{YEAR}") >= polls + 3, within=10)
            await holds(lambda: line in header_text(app, "feed-status"), for_s=0.3)
            assert "live" not in header_text(app, "feed-status")
            assert header_text(app, "title") == "Ardoise · waiting for the feed"
            feed = app.situation.feed
            assert isinstance(feed, FeedStatus)
            assert feed.state == "waiting"


async def test_stages_not_published_on_screen(tmp_path: Path) -> None:
    """stage-{year} answers 204: "not published yet", never an error, never `live`."""
    site = RaceCenterSite(records={f"allCompetitors-{YEAR}": rider_records()})
    with serving(site) as url:
        app, adapter = app_on(url, tmp_path, REST_DAY)
        async with app.run_test(size=(110, 30)):
            line = "racecenter: Stages not published yet"
            await wait_for(lambda: line in header_text(app, "feed-status"), within=10)
            polls = site.count(f"/api/stage-{YEAR}")
            await wait_for(lambda: site.count(f"/api/stage-{YEAR}") >= polls + 3, within=10)
            assert line in header_text(app, "feed-status")
            assert (adapter.failures, adapter.rejected) == (0, 0)
