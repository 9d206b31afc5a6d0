"""What the screen shows when the feed goes silent, and when it comes back.

A scripted feed (the test decides what comes, and when on a fake clock) shows the header's
words exactly; then the real `sse` adapter against a real server shows the same in real time,
and the catch-up after the blackout.
"""

from __future__ import annotations

import time
from itertools import islice
from pathlib import Path

import pytest

from feeds.adapters.sse import SseFeed, SseOptions
from feeds.simulation import simulate
from race.engine import Race
from race.models import FeedEvent, FeedStatus, Stage, Telemetry
from race.situation import Situation
from tests.support.app import ScriptedFeed, header_text, wait_for
from tests.support.liveserver import LiveServer, stage_events, write_recording
from tests.support.stages import SEED, engine_settings
from tui.app import ArdoiseApp
from tui.panels.header import estimated_head_km
from tui.panels.view import STALE_AFTER_S, ViewContext

pytestmark = pytest.mark.slow


def flat_stage_until(km: float, then: int) -> tuple[list[FeedEvent], list[Telemetry]]:
    """The simulated flat stage up to the first frame with the head at `km` to go, and the
    `then` frames after it (simulated no further)."""
    stage = simulate("flat", SEED, noise_m=1.5)
    out: list[FeedEvent] = []
    for event in stage:
        out.append(event)
        if isinstance(event, Telemetry):
            kms = [f.km_to_finish for f in event.riders if f.km_to_finish is not None]
            if kms and min(kms) <= km:
                break
    after = islice((e for e in stage if isinstance(e, Telemetry)), then)
    return out, list(after)


def status(state: str, **fields: object) -> FeedStatus:
    return FeedStatus.model_validate({"state": state, "at": time.time(), **fields})


def in_blackout(feed: FeedStatus | None, age_s: float | None, *, paused: bool) -> bool:
    return ViewContext(feed=feed, data_age_s=age_s, paused=paused).blackout


def test_blackout_rules() -> None:
    live = status("live")
    assert not in_blackout(live, STALE_AFTER_S - 1, paused=False)
    assert in_blackout(live, STALE_AFTER_S + 1, paused=False)
    assert not in_blackout(live, 100.0, paused=True), "paused: not a blackout"
    assert in_blackout(status("reconnecting"), 2.0, paused=False)
    assert in_blackout(status("stale"), 2.0, paused=False)
    assert not in_blackout(status("ended"), 100.0, paused=False), "the feed ended: no estimate"
    assert not in_blackout(None, 100.0, paused=False), "no feed status yet"
    assert not in_blackout(status("error"), None, paused=False), "no data yet"
    situation = Situation(
        stage=Stage(race="x", year=2026, distance_km=100.0),
        head_km_to_finish=30.0,
        head_speed_kmh=45.0,
    )
    assert estimated_head_km(situation, 60.0) == 29.25
    assert estimated_head_km(situation, 3 * 3600.0) == 0.0
    won = situation.model_copy(update={"winner_finished": True})
    assert estimated_head_km(won, 60.0) is None


async def test_header_during_a_blackout_and_after() -> None:
    clock = [1000.0]
    feed = ScriptedFeed()
    events, missed = flat_stage_until(160.0, then=8)
    for event in [status("live", detail="connected"), *events]:
        feed.queue.put_nowait(event)
    app = ArdoiseApp(feed, engine_settings(), feed_label="sse", monotonic=lambda: clock[0])
    last = events[-1]
    assert isinstance(last, Telemetry)
    async with app.run_test(size=(100, 30)):
        await wait_for(lambda: app.situation.t == last.t)
        km, speed = app.situation.head_km_to_finish, app.situation.head_speed_kmh
        assert km is not None
        assert speed is not None
        assert "● live 0 s" in header_text(app, "feed-status")

        # 20 s without data: stale, and the head's km estimated from its last speed.
        clock[0] += 20
        await feed.queue.put(status("stale", detail="no data for 20 s"))
        await wait_for(lambda: "stale 20 s" in header_text(app, "feed-status"), within=2)
        estimate = km - speed * 20 / 3600
        assert f"≈{estimate:.1f} km to go (est.)" in header_text(app, "race-status")
        assert app.race_screen.has_class("-stale")

        # The connection is lost: reconnecting, attempt 2, the next try counts down.
        clock[0] += 25
        await feed.queue.put(status("reconnecting", attempt=2, retry_in_s=4.0, detail="x"))
        expected = "reconnecting (attempt 2, next in 4 s) · data 45 s old"
        await wait_for(lambda: expected in header_text(app, "feed-status"), within=2)
        clock[0] += 3
        await wait_for(lambda: "next in 1 s" in header_text(app, "feed-status"), within=2)
        estimate = km - speed * 48 / 3600
        assert f"≈{estimate:.1f} km to go (est.)" in header_text(app, "race-status")
        assert "data 48 s old" in header_text(app, "feed-status")
        clock[0] += 2  # The wait is over: the third attempt is under way.
        expected = "reconnecting (attempt 3, trying) · data 50 s old"
        await wait_for(lambda: expected in header_text(app, "feed-status"), within=2)

        # The feed is back and catches up: every missed frame is applied, the screen is live.
        applied = app.race.situation.events_applied
        await feed.queue.put(status("live", detail="connected"))
        for frame in missed:
            await feed.queue.put(frame)
        await wait_for(lambda: app.situation.t == missed[-1].t, within=2)
        assert app.race.situation.events_applied == applied + 1 + len(missed)
        assert "● live 0 s" in header_text(app, "feed-status")
        status_line = header_text(app, "race-status")
        assert "est." not in status_line
        assert f"{app.situation.head_km_to_finish:.1f} km to go" in status_line
        assert not app.race_screen.has_class("-stale")


async def test_statuses_do_not_change_the_race() -> None:
    """A blackout's statuses between frames leave the race exactly as without them (the first
    hour of the flat stage: the break goes, an alert that a rebuilt situation made early)."""
    plain, noisy = Race(engine_settings()), Race(engine_settings())
    for event in islice(simulate("flat", SEED, noise_m=1.5), 600):
        a, b = plain.apply(event), noisy.apply(event)
        if isinstance(event, Telemetry):
            noisy.apply(status("stale"))
            b = noisy.apply(status("reconnecting", attempt=1, retry_in_s=1.0))
    left, right = a.to_json_dict(), b.to_json_dict()
    for data in (left, right):
        del data["feed"], data["events_applied"]
    assert left == right


async def test_a_real_blackout_in_the_app(tmp_path: Path) -> None:
    """The `sse` adapter against a real server sending a frame every 0.2 s: a drop and 2 s of
    HTTP 500s mid-stage. The header says so within 2 s; afterwards the app catches up with
    what the server received meanwhile."""
    events = stage_events(30)
    recording = write_recording(tmp_path / "stage.jsonl", events)
    with LiveServer(recording, speed=30) as server:
        server.faults.plan.errors_from_event = 8
        server.faults.plan.errors_s = 2.0
        adapter = SseFeed(
            SseOptions(url=f"{server.url}/stream", backoff_initial_s=0.2, backoff_max_s=1.0)
        )
        app = ArdoiseApp(adapter, engine_settings(), feed_label="sse")
        async with app.run_test(size=(100, 30)):
            await wait_for(lambda: "errors" in server.faults.fired, within=10)
            dropped = server.faults.fired["errors"]
            await wait_for(lambda: "reconnecting" in header_text(app, "feed-status"), within=2)
            assert time.monotonic() - dropped <= 2.0
            assert "attempt" in header_text(app, "feed-status")
            await wait_for(lambda: "● live" in header_text(app, "feed-status"), within=4)
            back = time.monotonic()
            assert back - server.faults.plan.errors_until <= 1.0 + 1.0
            last = events[-1]
            assert isinstance(last, Telemetry)
            await wait_for(lambda: app.situation.t == last.t, within=10)
            assert adapter.received == len(events), "nothing lost in the blackout"
