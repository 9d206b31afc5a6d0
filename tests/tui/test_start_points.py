"""A replay's start point kept between launches (`tui.startpoint`): taken up again, it gives the
same events and the same situations as the replay played from the start; a start point for
other settings, damaged or unwritable is never used and never fatal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feeds.adapters.recording import RecordingFeed, RecordingOptions
from feeds.adapters.simulated import SimulatedFeed, SimulatedOptions
from feeds.base import FeedAdapter
from feeds.pacing import head_km
from race.engine import Race
from race.history import History
from race.models import FeedEvent, FeedStatus, Telemetry
from race.settings import EngineSettings
from tests.support.app import wait_for
from tests.support.stages import SEED, engine_settings
from tui.app import ArdoiseApp
from tui.bake import play_to_start_point
from tui.startpoint import KEEP, StartPoints

pytestmark = pytest.mark.slow

SKIP_KM = 45.0
UNTIL_KM = 40.0
"""How far the replays are read after the start point: every frame up to there is delivered at
once (`go_ahead_to_km`), the next would be paced."""


def options(**changes: object) -> SimulatedOptions:
    """The embedded default's replay, with a frame a minute (a quick stage to simulate)."""
    base = {"seed": SEED, "cadence_s": 60, "speed": 100, "skip_to_km": SKIP_KM}
    return SimulatedOptions.model_validate(base | changes)


async def read(
    feed: SimulatedFeed, history: History, points: StartPoints | None = None
) -> list[str]:
    """Apply the feed's events to `history` up to `UNTIL_KM`, keeping the start point in
    `points` on the way (as the app does); the situations after the start point, as JSON
    without the feed's status (its time is the launch's own)."""
    seen: list[str] = []
    started = False
    async for event in feed.events():
        if isinstance(event, FeedStatus):
            point = feed.start_point()
            if point is not None and points is not None:
                points.keep(history, point)
            started = started or event.state == "live"
            if started:
                feed.go_ahead_to_km(UNTIL_KM)
        situation = history.apply(event)
        if started:
            seen.append(situation.model_dump_json(exclude={"feed"}))
        if isinstance(event, Telemetry) and (head_km(event) or 0.0) <= UNTIL_KM:
            break
    return seen


def kept(folder: Path) -> set[str]:
    """The start points kept in `folder`."""
    return {path.name for path in folder.glob("start-*.pickle")}


def points_for(
    folder: Path, feed: FeedAdapter, settings: EngineSettings, baked: Path | None = None
) -> StartPoints:
    points = StartPoints.for_launch(feed, settings, None, folder, baked=baked)
    assert points is not None
    return points


async def test_a_replay_taken_up_at_its_start_point_goes_on_as_played_from_the_start(
    tmp_path: Path,
) -> None:
    settings = engine_settings()
    cold = SimulatedFeed(options())
    points = points_for(tmp_path, cold, settings)
    history = History(Race(settings))
    played = await read(cold, history, points)
    points.wait()
    assert points.path.exists()

    restored = points_for(tmp_path, SimulatedFeed(options()), settings).load()
    assert restored is not None
    engine = restored.take_up()
    assert engine is not None
    assert restored.situation == engine.history.race.situation  # The first picture's.
    taken_up = SimulatedFeed(options())
    taken_up.start_from(engine.feed_point)
    resumed = await read(taken_up, engine.history)
    assert len(played) > 5
    assert resumed == played
    assert taken_up.start_point() is None  # Nothing to keep again: it is not skipping.
    # The time machine goes back before the start point as well.
    for km in (150.0, 100.0, 60.0):
        back, again = history.situation_at_km(km), engine.history.situation_at_km(km)
        assert back is not None
        assert again is not None
        assert again.model_dump_json() == back.model_dump_json()


async def test_first_events_of_a_replay_taken_up() -> None:
    cold = SimulatedFeed(options())
    point: bytes | None = None
    events: list[FeedEvent] = []
    async for event in cold.events():
        if point is not None:
            events.append(event)
            break
        if isinstance(event, FeedStatus):
            point = cold.start_point()
    assert point is not None
    taken_up = SimulatedFeed(options())
    taken_up.start_from(point)
    stream = taken_up.events()
    live = await anext(stream)
    assert isinstance(live, FeedStatus)
    assert live.state == "live"
    assert await anext(stream) == events[0]  # The first frame after the skip.


@pytest.mark.parametrize(
    "change",
    [
        {"seed": SEED + 1},
        {"scenario": "hilly"},
        {"skip_to_km": 30},
        {"noise_m": 0},
    ],
)
def test_other_feed_options_are_other_start_points(
    tmp_path: Path, change: dict[str, object]
) -> None:
    settings = engine_settings()
    one = points_for(tmp_path, SimulatedFeed(options()), settings)
    other = points_for(tmp_path, SimulatedFeed(options(**change)), settings)
    assert one.path != other.path


def test_the_speed_is_not_part_of_the_start_point(tmp_path: Path) -> None:
    settings = engine_settings()
    one = points_for(tmp_path, SimulatedFeed(options(speed=20)), settings)
    other = points_for(tmp_path, SimulatedFeed(options(speed=5)), settings)
    assert one.path == other.path


def test_other_settings_or_marks_are_other_start_points(tmp_path: Path) -> None:
    feed = SimulatedFeed(options())
    base = points_for(tmp_path, feed, engine_settings())
    team = engine_settings()
    team = team.model_copy(update={"team": team.team.model_copy(update={"code": "SVB"})})
    assert points_for(tmp_path, feed, team).path != base.path
    marks = tmp_path / "marks.toml"
    marks.write_text('"Tour de France 2026" = [11]\n')
    marked = StartPoints.for_launch(feed, engine_settings(), marks, tmp_path)
    assert marked is not None
    assert marked.path != base.path
    marks.write_text('"Tour de France 2026" = [12]\n')
    remarked = StartPoints.for_launch(feed, engine_settings(), marks, tmp_path)
    assert remarked is not None
    assert remarked.path != marked.path


@pytest.mark.parametrize(
    "feed",
    [
        SimulatedFeed(options(skip_to_km=None)),
        SimulatedFeed(options(speed=0)),
        SimulatedFeed(options(quirks=[{"kind": "milliseconds"}])),
    ],
    ids=["no skip", "speed 0", "quirks"],
)
def test_replays_without_a_sparse_skip_keep_no_start_point(feed: SimulatedFeed) -> None:
    assert StartPoints.for_launch(feed, engine_settings(), None) is None


def test_a_recording_keeps_no_start_point(tmp_path: Path) -> None:
    path = tmp_path / "stage.jsonl"
    path.write_text('{"at": 0}\n')  # Read as an Ardoise recording.
    feed = RecordingFeed(RecordingOptions(path=path, skip_to_km=20))
    assert StartPoints.for_launch(feed, engine_settings(), None) is None


@pytest.mark.parametrize(
    "content", [b"", b"not a pickle", b"\x80\x05K\x01.", bytes(range(256)) * 10]
)
def test_a_damaged_start_point_is_ignored_and_removed(tmp_path: Path, content: bytes) -> None:
    points = points_for(tmp_path, SimulatedFeed(options()), engine_settings())
    points.path.parent.mkdir(parents=True, exist_ok=True)
    points.path.write_bytes(content)
    assert points.load() is None
    assert not points.path.exists()


def test_a_start_point_for_another_key_is_not_used(tmp_path: Path) -> None:
    settings = engine_settings()
    points = points_for(tmp_path, SimulatedFeed(options()), settings)
    points.keep(History(Race(settings)), b"feed")
    points.wait()
    assert points.load() is not None
    other = StartPoints(tmp_path, "another key")
    other.path.write_bytes(points.path.read_bytes())  # A file under the wrong name.
    assert other.load() is None


async def test_a_start_point_built_with_the_package_is_taken_up_by_a_first_launch(
    tmp_path: Path,
) -> None:
    settings = engine_settings()
    cache, baked = tmp_path / "cache", tmp_path / "baked"
    feed = SimulatedFeed(options())
    history = History(Race(settings))
    point = await play_to_start_point(feed, history)
    assert point is not None
    built = points_for(cache, feed, settings, baked).bake(history, point)
    assert built.parent == baked

    first = points_for(cache, SimulatedFeed(options()), settings, baked)
    restored = first.load()
    assert restored is not None
    assert restored.situation == history.race.situation
    engine = restored.take_up()
    assert engine is not None
    assert engine.history.race.situation == history.race.situation
    assert not cache.exists(), "nothing is kept in the cache: the package has the point"

    # Its key is the code's sizes, not its times (an install sets new ones).
    os.utime(built, (1_000_000, 1_000_000))
    assert points_for(cache, SimulatedFeed(options()), settings, baked).load() is not None
    # Other settings: not used, and never removed (it is the package's).
    other = points_for(cache, SimulatedFeed(options(seed=SEED + 1)), settings, baked)
    assert other.baked is not None
    other.baked.write_bytes(built.read_bytes())
    assert other.load() is None
    assert other.baked.exists()
    built.write_bytes(b"damaged")
    assert first.load() is None
    assert built.exists()


def test_an_unwritable_cache_folder_only_means_no_start_point(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    points = points_for(blocked / "ardoise", SimulatedFeed(options()), engine_settings())
    points.keep(History(Race(engine_settings())), b"feed")
    points.wait()
    assert points.load() is None


def test_only_the_start_points_used_last_are_kept(tmp_path: Path) -> None:
    settings = engine_settings()

    def keep(key: str) -> StartPoints:
        points = StartPoints(tmp_path, key)
        points.keep(History(Race(settings)), b"feed")
        points.wait()
        return points

    old = [keep(f"old {n}") for n in range(KEEP)]
    for n, points in enumerate(old):
        os.utime(points.path, (1_000_000 + n, 1_000_000 + n))
    assert old[0].load() is not None  # Used now: the last of the old ones to go.
    new = [keep(f"new {n}") for n in range(2)]
    assert kept(tmp_path) == {old[0].path.name} | {points.path.name for points in new}


async def test_the_app_keeps_its_start_point_then_starts_there(tmp_path: Path) -> None:
    settings = engine_settings()

    points = points_for(tmp_path, SimulatedFeed(options()), settings)

    def app() -> ArdoiseApp:
        # At 20x a frame a minute is 3 s apart: the engine holds still between two.
        return ArdoiseApp(
            SimulatedFeed(options(speed=20)), settings, feed_label="simulated", start_points=points
        )

    first = app()
    async with first.run_test(size=(100, 30)):
        await wait_for(lambda: first.situation.t is not None)
        t = first.race.situation.t
        played = first.race.situation.model_dump_json(exclude={"feed"})
    points.wait()  # As `ardoise` does once the app has ended.
    assert kept(tmp_path), "the start point is kept"
    # The point built with the package (`tui.bake`) is the one the app keeps.
    baked = History(Race(settings))
    assert await play_to_start_point(SimulatedFeed(options()), baked) is not None
    app_kept = points.load()
    assert app_kept is not None
    app_engine = app_kept.take_up()
    assert app_engine is not None
    assert len(app_engine.history) == len(baked)
    # (The feed's status says when it was sent: the launch's own time.)
    assert app_engine.history.race.situation.model_dump_json(
        exclude={"feed"}
    ) == baked.race.situation.model_dump_json(exclude={"feed"})
    head = first.situation.head_km_to_finish
    assert head is not None
    assert head <= SKIP_KM

    again = app()
    # Taken up at the start point: the first picture shows the race there.
    assert again.situation.t is not None
    async with again.run_test(size=(100, 30)):
        await wait_for(lambda: again.situation.t == t)
        assert again.race.situation.model_dump_json(exclude={"feed"}) == played

    # A start point whose engine cannot be read: the replay is played from its start, to the
    # same race, and the point is kept anew.
    point = points.load()
    assert point is not None
    points.path.write_bytes(points.path.read_bytes()[: point.offset] + b"damaged")
    damaged = app()
    async with damaged.run_test(size=(100, 30)):
        await wait_for(lambda: damaged.situation.t == t)
        assert damaged.race.situation.model_dump_json(exclude={"feed"}) == played
    points.wait()
    anew = points.load()
    assert anew is not None
    assert anew.take_up() is not None
