"""The Ardoise app: a feed adapter's events go through the engine; panels render each Situation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from feeds.base import FeedAdapter, Resumable
from race.models import Bib, FeedStatus, Telemetry
from race.settings import EngineSettings
from race.situation import Roster, Situation
from tui import collection, themes
from tui.bindings import APP_BINDINGS
from tui.commands import SprinterCommands
from tui.config import team_code_problem
from tui.engineroom import EngineRoom
from tui.frametiming import FrameTiming
from tui.marking import Marking
from tui.marks import MarkStore, RaceMarks
from tui.messages import SituationUpdated, catching_up
from tui.panels.view import ViewContext, failed
from tui.screens.race import RaceScreen
from tui.seekkeys import SEEK_ACTIONS
from tui.startpoint import StartPoints

if TYPE_CHECKING:
    from race.engine import Race

RENDER_EVERY_S = 0.2
"""The screen shows the latest situation at most this often: a replay at full speed or a burst
after a reconnection applies every event but draws only a few frames a second."""


class ArdoiseApp(Marking):
    """Follow a live stage: time gaps, lead-out trains, time limit."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "Ardoise"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {SprinterCommands}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        adapter: FeedAdapter,
        settings: EngineSettings,
        *,
        feed_label: str,
        theme: str = "ardoise",
        keymap: Mapping[str, str] | None = None,
        hold_at: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        marks: MarkStore | None = None,
        race: Race | None = None,
        start_points: StartPoints | None = None,
    ) -> None:
        """
        Args:
            adapter: where the events come from.
            settings: the engine's settings.
            feed_label: how the header names the feed, e.g. "simulated".
            theme: "ardoise" or "sunlight".
            keymap: binding id → keys, from `[keymap]`.
            hold_at: stop applying events after this feed time (deterministic screenshots).
            monotonic: clock for the age of the data (fixed in snapshot tests).
            marks: where the marks are kept per race (None: for this run only).
            race: an engine that has applied events already (tests), else a new one.
            start_points: where the replay's start point is kept: taken up there when it
                was kept for these settings, else kept when the replay gets there.
        """
        super().__init__()
        themes.start_in(self, theme)
        self._adapter = adapter
        resumable = adapter if isinstance(adapter, Resumable) else None
        restored = start_points.load() if start_points and resumable else None
        self._engine = EngineRoom(settings, race=race, restored=restored, resumable=resumable)
        self._start_points = start_points if restored is None else None
        """Where to keep the start point when the replay gets there (once)."""
        self._taken_up_from = start_points if restored is not None else None
        """Where the start point taken up is kept (kept anew when it cannot be read)."""
        self._start_speed = adapter.speed
        self._settings = settings
        self._feed_label = feed_label
        self._keymap = dict(keymap or {})
        self._hold_at = hold_at
        self._now = monotonic
        self._situation = self._engine.situation
        self._latest = self._situation
        self._received_at: float | None = None
        self._results_shown = False
        """When the race data on screen was received (monotonic): the age of the data."""
        self._status_at: float | None = None
        """When the feed's current status was received (monotonic)."""
        self._paused = False
        self._following_feed = False
        """Whether the feed worker is reading the feed."""
        self._feed_failure: str | None = None
        self._team_checked = False
        """Whether `[team] code` was checked against the race's teams (once, at the first)."""
        self._marks = RaceMarks(marks, settings.team.marked)
        self.frames_drawn = 0
        """How many situations were drawn (a burst of events draws only a few)."""
        self._shown_at = -RENDER_EVERY_S
        """When the latest situation was last looked at for drawing (monotonic, real time)."""
        self._render_due: Timer | None = None
        """The drawing held back to keep `RENDER_EVERY_S` between two, if one is."""
        self._timing = FrameTiming.from_environment(self, lambda s: not catching_up(s))
        """Times each event to the screen (`bench/render.py`); None unless asked."""

    @property
    def situation(self) -> Situation:
        """The situation on screen."""
        return self._situation

    @property
    def race(self) -> Race:
        """The engine (its `situation` may be newer than the one on screen)."""
        return self._engine.race

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def roster(self) -> Roster:
        """The start list with the roles in force now (the engine's, newer than the screen's)."""
        return self._engine.situation.roster

    @property
    def my_team(self) -> str | None:
        return self._settings.team.code

    def set_sprinter(self, bib: Bib) -> None:
        """Make `bib` his team's sprinter (the command palette): the race radio says it at once,
        the lead-out and the time limit follow at the next update."""
        try:
            situation = self._engine.history.set_sprinter(bib)
        except KeyError:
            self.notify(f"No rider {bib} in the start list", severity="warning", markup=False)
            return
        self._post_now(situation)

    def _post_now(self, situation: Situation) -> None:
        """A situation the user's choice made (no new feed data): drawn as the feed's are."""
        self.post_message(
            SituationUpdated(
                situation, self._now(), data_at=self._received_at, status_at=self._status_at
            )
        )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def get_default_screen(self) -> RaceScreen:
        return RaceScreen(on_composed=self._first_picture, clock=self._now)

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _: self.refresh_bindings())
        if self._keymap:
            self.set_keymap(self._keymap)

    def _first_picture(self) -> None:
        """The race screen is composed and not laid out yet: what there is to show (a start
        point's race, else the feed's state) is in its first picture."""
        self._render(self._situation)

    def on_ready(self) -> None:
        """The race screen is on screen: start the feed (a start point's race is drawn before
        the feed's first events are read)."""
        self.set_interval(1.0, self._show_feed_status)
        self.call_after_refresh(self.follow_feed)
        if collection.off():
            self.set_timer(collection.OFF_AT_MOST_S, collection.back_on)

    # --- The feed ------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="feed")
    async def follow_feed(self) -> None:
        """Apply the adapter's events to the engine; post each new situation."""
        data_at: float | None = None
        status_at: float | None = None
        self._take_up_engine()
        self._following_feed = True
        try:
            async for event in self._adapter.events():
                arrived = time.perf_counter()
                if (
                    self._hold_at is not None
                    and isinstance(event, Telemetry)
                    and event.t > self._hold_at
                ):
                    break
                if self._start_points is not None and isinstance(event, FeedStatus):
                    self._keep_start_point()
                situation = self._engine.history.apply(event)
                if self._timing is not None:
                    self._timing.applied(situation, arrived)
                now = self._now()
                if isinstance(event, FeedStatus):
                    status_at = now
                else:
                    data_at = now
                self.post_message(
                    SituationUpdated(situation, now, data_at=data_at, status_at=status_at)
                )
                self._engine.settle_after(self.call_after_refresh)
        finally:
            self._following_feed = False
            self.call_later(self._show_feed_status)  # Arranged exactly from now on.
            await self._adapter.aclose()

    def _take_up_engine(self) -> None:
        """The first picture is on screen: the engine is wanted now (`tui.engineroom`); a start
        point that cannot be read is kept anew when the replay gets there."""
        self._engine.take_up()
        if self._engine.start_point_lost and self._taken_up_from is not None:
            self._start_points, self._taken_up_from = self._taken_up_from, None

    def _keep_start_point(self) -> None:
        """At the `live` status that ends a replay's skip: keep the engine as it is before it
        (the next launch applies a new one) and the feed's state."""
        adapter = self._adapter
        point = adapter.start_point() if isinstance(adapter, Resumable) else None
        if point is not None and self._start_points is not None:
            self._start_points.keep(self._engine.history, point)
            self._start_points = None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker failures end here: the feed stops, the screen keeps the last situation."""
        if event.worker.group == "feed" and event.state == WorkerState.ERROR:
            self._feed_failure = str(event.worker.error)
            self.notify(
                f"The feed stopped: {self._feed_failure}",
                title="Feed error",
                severity="error",
                markup=False,
            )
            self._show_feed_status()

    def on_situation_updated(self, message: SituationUpdated) -> None:
        if not self._team_checked and message.situation.roster.teams:
            self._team_checked = True
            problem = team_code_problem(self._settings.team.code, message.situation.roster)
            if problem is not None:
                self.notify(problem, severity="warning", timeout=30, markup=False)
        self._follow_marks(message.situation)
        self._received_at = message.data_at
        self._status_at = message.status_at
        self._latest = message.situation
        if self._situation.t is None and message.situation.t is not None:
            self._render_latest()  # The first picture of the race without delay.
        else:
            self._render_soon()

    def _render_soon(self) -> None:
        """Draw the latest situation now, or once `RENDER_EVERY_S` has passed since the last
        drawing: a burst is drawn a few times a second, one event alone at once, and nothing
        runs while no event comes."""
        if self._render_due is not None:
            return  # Due already: it will draw whatever is latest then.
        wait = self._shown_at + RENDER_EVERY_S - time.monotonic()
        if wait <= 0:
            self._render_latest()
        else:
            self._render_due = self.set_timer(wait, self._render_latest)

    def _render_latest(self) -> None:
        if self._render_due is not None:
            self._render_due.stop()  # Drawn now (a resume, the first picture): not again.
            self._render_due = None
        # A paused live feed is still read (nothing is lost) but not shown until resumed; a
        # replay skipping to its start point is not shown until it gets there.
        in_past = self._engine.in_past
        if self._latest is not self._situation and not self._paused and not in_past:
            self._shown_at = time.monotonic()
            if catching_up(self._latest):
                self._show_feed_status()
            else:
                self._render(self._latest)

    # --- Rendering -----------------------------------------------------------------------

    @property
    def _data_age(self) -> float | None:
        return self._now() - self._received_at if self._received_at is not None else None

    def _render(self, situation: Situation) -> None:
        if not self.screen_stack:
            return  # Closing: the feed's last messages and the timers can still arrive.
        self._situation = situation
        self.frames_drawn += 1
        if situation.t is not None and collection.off():
            self.call_after_refresh(collection.back_on)  # The race is on screen.
        if self._timing is not None:
            self._timing.drawing(situation)
        self.race_screen.show(situation, self._view())
        if self._timing is not None:
            self._timing.drawn()
        if situation.winner_finished and not self._results_shown and situation.time_trial is None:
            self._results_shown = True  # Once: closed, it stays closed (`r` opens it again).
            self.action_results()

    def _show_feed_status(self) -> None:
        if not self.screen_stack:
            return  # Closing (see `_render`).
        self.race_screen.show_status(self._view())

    def _view(self) -> ViewContext:
        """How the panels are to be shown now: the screen, the user, the feed's state."""
        # The feed's state now, even while its data is not drawn.
        feed = failed(self._latest.feed, self._feed_failure)
        retry_in = feed.retry_in_s if feed is not None else None
        if retry_in is not None and self._status_at is not None:
            # The status said "next try in N s" when it came: count down from there.
            retry_in = max(0.0, retry_in - (self._now() - self._status_at))
        return ViewContext(
            width=self.race_screen.size.width,
            my_team=self._settings.team.code,
            data_age_s=self._data_age,
            paused=self._paused,
            feed=feed,
            retry_in_s=retry_in,
            feed_label=self._feed_label,
            pause_key=self.key_display("pause"),
            race_t=self._engine.situation.t,
            more_key=self.key_display("more"),
            in_past=self._engine.in_past,
            live_km=self._engine.situation.head_km_to_finish,
            replay_speed=self._shown_speed,
            following=self._following_feed
            and self._hold_at is None
            and not self._paused
            and not self._engine.in_past
            and feed is not None
            and feed.state == "live",
        )

    @property
    def _shown_speed(self) -> float | None:
        """A replay's speed when the header says it: in the past, or changed by `+`/`-`."""
        speed = self._adapter.speed
        if speed is None or not (self._engine.in_past or speed != self._start_speed):
            return None
        return speed

    # --- Actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Of two bindings on one key, the one for what the key does now."""
        if action == "pause":
            return not self._paused
        if action == "resume":
            return self._paused
        if action == "theme":
            return parameters != (self.theme,)
        if action in SEEK_ACTIONS and not isinstance(self.screen, RaceScreen):
            return False  # A screen over the race keeps its keys (a search's cursor, a scroll).
        if action == "live":
            return self._engine.in_past
        return True

    def action_pause(self) -> None:
        """Pause or resume: a replay's clock stops; a live feed is still read, not shown."""
        self._paused = not self._paused
        if self._adapter.capabilities.pause:
            if self._paused:
                self._adapter.pause()
            else:
                self._adapter.resume()
        self.refresh_bindings()
        self._render_latest()
        self._show_feed_status()

    def action_resume(self) -> None:
        if self._paused:
            self.action_pause()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Pause / resume the feed", "Stop or restart the race clock", self.action_pause
        )
        yield SystemCommand(
            "Sunlight theme",
            "High contrast for bright light, and back",
            self.action_toggle_sunlight,
        )
        yield from self.overscreen_commands()
