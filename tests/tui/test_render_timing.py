"""When the app draws (a situation alone at once, a burst a few times a second), what a panel
keeps of its rows, and the app timing its events to the screen (`tui.frametiming`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from race.models import Telemetry
from race.situation import Situation
from tests.support.app import ScriptedFeed, wait_for
from tests.support.stages import engine_settings, flat_at, stage_events
from tui.app import RENDER_EVERY_S, ArdoiseApp
from tui.frametiming import ENVIRONMENT, FrameTiming
from tui.messages import SituationUpdated
from tui.panels.lines import line
from tui.widgets.panel import RowsPanel

pytestmark = pytest.mark.slow


class _TimedApp(ArdoiseApp):
    """Notes when each situation is drawn."""

    def __init__(self, feed: ScriptedFeed) -> None:
        super().__init__(feed, engine_settings(), feed_label="scripted")
        self.drawn_at: list[float] = []

    def _render(self, situation: Situation) -> None:
        self.drawn_at.append(time.monotonic())
        super()._render(situation)


def _app(feed: ScriptedFeed | None = None) -> _TimedApp:
    return _TimedApp(feed or ScriptedFeed())


def _copies(situation: Situation, count: int) -> list[Situation]:
    """Distinct situations (the app tells them apart by identity) with the same facts."""
    return [situation.model_copy() for _ in range(count)]


async def test_a_situation_alone_is_drawn_at_once_a_burst_once_more_later() -> None:
    _, situation = flat_at(14.0)
    first, *burst = _copies(situation, 4)
    app = _app()
    async with app.run_test(size=(100, 30)):
        app.post_message(SituationUpdated(first, 0.0, data_at=0.0))
        await wait_for(lambda: app.situation is first)
        drawn = len(app.drawn_at)
        for one in burst:
            app.post_message(SituationUpdated(one, 0.0, data_at=0.0))
        await wait_for(lambda: app.situation is burst[-1])
        # The burst came within RENDER_EVERY_S of the first drawing: held back until then,
        # and drawn once, its latest situation only.
        assert len(app.drawn_at) == drawn + 1
        assert app.drawn_at[-1] - app.drawn_at[-2] >= RENDER_EVERY_S * 0.95  # Clock steps.


async def test_a_situation_after_a_quiet_spell_is_not_held_back() -> None:
    _, situation = flat_at(14.0)
    first, second = _copies(situation, 2)
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(SituationUpdated(first, 0.0, data_at=0.0))
        await wait_for(lambda: app.situation is first)
        quiet_since = time.monotonic()
        await wait_for(lambda: time.monotonic() - quiet_since > RENDER_EVERY_S)
        posted = time.monotonic()
        app.post_message(SituationUpdated(second, 0.0, data_at=0.0))
        await pilot.pause()  # The message handled: drawn in the same turn, no timer.
        assert app.situation is second
        assert app.drawn_at[-1] >= posted


class _Rows(App[None]):
    def compose(self) -> ComposeResult:
        yield RowsPanel("ROWS", id="rows")


async def test_a_panel_repaints_only_the_rows_that_changed() -> None:
    app = _Rows()
    async with app.run_test(size=(40, 20)) as pilot:
        panel = app.query_one(RowsPanel)
        repainted: list[int] = []
        refresh_rows = panel.refresh_rows

        def noted(indexes: Iterable[int]) -> None:
            indexes = list(indexes)
            repainted.extend(indexes)
            refresh_rows(indexes)

        panel.refresh_rows = noted  # type: ignore[method-assign]

        def shown() -> list[str]:
            return [panel.render_line(y).text.rstrip() for y in range(len(panel.lines))]

        panel.set_rows([line(f"row {n}") for n in range(5)])
        await pilot.pause()
        assert shown() == [f"row {n}" for n in range(5)]
        repainted.clear()
        panel.set_rows([line("row 0"), line("two"), line("row 2")])
        await pilot.pause()
        assert shown() == ["row 0", "two", "row 2"]
        assert repainted == [1, 3, 4], "the row changed and the two no longer shown"
        assert panel.virtual_size.height == 3
        repainted.clear()
        panel.set_rows([line("row 0"), line("two"), line("row 2")])
        assert repainted == [], "the same lines: nothing repainted"


def test_no_timing_unless_the_environment_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    assert FrameTiming.from_environment(_app(), lambda _: True) is None


async def test_the_app_times_each_event_to_the_frame_that_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "timing.jsonl"
    monkeypatch.setenv(ENVIRONMENT, str(out))
    feed = ScriptedFeed()
    app = _app(feed)
    events = stage_events("flat")[:40]
    async with app.run_test(size=(160, 48)):
        for event in events:
            feed.queue.put_nowait(event)
        await wait_for(lambda: app.race.situation.events_applied == len(events))
        await wait_for(lambda: app.situation is app.race.situation)
        await wait_for(lambda: out.exists() and '"written"' in out.read_text())
    records = [json.loads(text) for text in out.read_text().splitlines()]
    frames = [r for r in records if "written" in r]
    timed = sum(len(r["arrived"]) for r in frames)
    unchanged = sum(r.get("unchanged", 0) for r in records)
    assert timed + unchanged <= len(events)
    assert timed > 0
    for frame in frames:
        for arrived, applied in zip(frame["arrived"], frame["applied"], strict=True):
            assert arrived <= applied <= frame["drawing"]
        assert frame["drawing"] <= frame["drawn"] <= frame["written"]


async def test_the_history_keeps_an_event_once_it_is_drawn() -> None:
    """The dearer part of remembering an event (`History.settle`) is done once the screen shows
    it, not in the time from the event to the screen; and it is done."""
    feed = ScriptedFeed()
    settled_when_drawn: list[bool] = []

    class _Noting(_TimedApp):
        def _render(self, situation: Situation) -> None:
            settled_when_drawn.append(self._engine.history.settled)
            super()._render(situation)

    app = _Noting(feed)
    async with app.run_test(size=(100, 30)):
        drawn = len(settled_when_drawn)  # The screen before any event.
        frames = [e for e in stage_events("flat") if isinstance(e, Telemetry)][:3]
        for count, event in enumerate(frames, 1):
            feed.queue.put_nowait(event)
            await wait_for(lambda: app.race.situation.events_applied == count)  # noqa: B023
            await wait_for(lambda: app.situation is app.race.situation)
            await wait_for(lambda: app._engine.history.settled)
    # The first frame is drawn at once (the others within `RENDER_EVERY_S` of it wait, and
    # may be kept in the meantime): drawn before it was kept.
    assert settled_when_drawn[drawn] is False
