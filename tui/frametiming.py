"""The time from a feed event's arrival to the screen showing it, measured inside the app.

Off unless the environment variable `ARDOISE_FRAME_TIMING` names a file (`bench/render.py` sets
it): the app then has a `FrameTiming` and calls it at each step of an event's way; otherwise it
has None and nothing here runs.

Each event is timed from the moment the feed worker receives it to the end of the first frame
written to the terminal after a situation holding it was drawn (Textual's `App._display`, the
one place a compositor update becomes terminal output). Its way, in steps:

- `applied`: the engine applied it (parsing is before the arrival: it is the adapter's);
- `drawing`/`drawn`: the panels' text was built and the widgets updated, for the latest
  situation (a burst is drawn once: its earlier events wait for it);
- `written`: the frame is out (Textual's layout and compositor, then the write).

An event whose situation changed nothing on screen has no frame: when the screen is refreshed
(`call_after_refresh`) without one, it is counted as unchanged, not timed. One JSON line per
frame goes to the file: the events' arrival times and when each step ended (`perf_counter`
seconds), and the process's CPU time at each step of the frame, for the benchmark to read.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from race.situation import Situation

if TYPE_CHECKING:
    from textual.app import App

ENVIRONMENT = "ARDOISE_FRAME_TIMING"
"""The file the timing goes to; unset: no timing."""


class FrameTiming:
    """Follows each event from its arrival to the first frame written that shows it."""

    def __init__(self, out: IO[str], counted: Callable[[Situation], bool]) -> None:
        """
        Args:
            out: where each frame's line is written (and flushed).
            counted: whether the events that made a situation are timed (a replay skipping to
                its start point delivers thousands that are never drawn one by one).
        """
        self._out = out
        self._counted = counted
        self._applied: list[tuple[float, float]] = []
        """Each event applied and not drawn yet: its arrival, when the engine was done."""
        self._made: dict[int, int] = {}
        """A situation (by id) → how many of `_applied` it holds."""
        self._waiting: list[tuple[float, float]] = []
        self._drawing_at = 0.0
        self._drawn_at: float | None = None
        self._cpu: list[float] = []
        self._app: App[Any] | None = None
        self.frames = 0
        """Frames written that showed events."""

    @classmethod
    def from_environment(
        cls, app: App[Any], counted: Callable[[Situation], bool]
    ) -> FrameTiming | None:
        """A timing writing to `$ARDOISE_FRAME_TIMING`, hooked on `app`'s frames; None (and
        nothing hooked) when the variable is not set."""
        path = os.environ.get(ENVIRONMENT)
        if not path:
            return None
        timing = cls(Path(path).open("a", encoding="utf-8"), counted)  # noqa: SIM115
        timing.hook(app)
        return timing

    def hook(self, app: App[Any]) -> None:
        """Be told of each frame `app` writes to the terminal."""
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.written()

        # An attribute of this app only: its class, and every other app, are left as they are.
        setattr(app, "_display", timed_display)  # noqa: B010
        self._app = app

    def applied(self, situation: Situation, arrived: float) -> None:
        """The engine applied an event received at `arrived` (`perf_counter`): `situation`."""
        if not self._counted(situation):
            self._applied.clear()
            self._made.clear()
            return
        self._applied.append((arrived, time.perf_counter()))
        self._made[id(situation)] = len(self._applied)

    def drawing(self, situation: Situation) -> None:
        """`situation` is about to be drawn: the events it holds wait for the next frame."""
        held = self._made.get(id(situation), 0)
        self._waiting.extend(self._applied[:held])
        del self._applied[:held]
        self._made = {k: n - held for k, n in self._made.items() if n > held}
        self._drawing_at = time.perf_counter()
        self._cpu = [time.process_time()]

    def drawn(self) -> None:
        """The widgets are updated; the frame is for Textual to write."""
        self._drawn_at = time.perf_counter()
        self._cpu.append(time.process_time())
        if self._waiting and self._app is not None:
            self._app.call_after_refresh(self._refreshed)

    def written(self) -> None:
        """A frame went to the terminal: it shows the events waiting."""
        if self._drawn_at is None or not self._waiting:
            return
        self.frames += 1
        self._write(
            {
                "arrived": [a for a, _ in self._waiting],
                "applied": [b for _, b in self._waiting],
                "drawing": self._drawing_at,
                "drawn": self._drawn_at,
                "written": time.perf_counter(),
                # The process's CPU time at `drawing`, `drawn` and `written`: what each step
                # cost, whatever else the machine runs (wall times include waiting for a core).
                "cpu": [*self._cpu, time.process_time()],
            }
        )
        self._waiting.clear()
        self._drawn_at = None

    def _refreshed(self) -> None:
        """The screen was refreshed after a drawing: events still waiting changed nothing."""
        if self._waiting:
            self._write({"unchanged": len(self._waiting)})
            self._waiting.clear()
            self._drawn_at = None

    def _write(self, record: dict[str, Any]) -> None:
        self._out.write(json.dumps(record) + "\n")
        self._out.flush()
