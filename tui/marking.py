"""Marked riders in the app: a rider's card reading, marking and unmarking him, and the marks
saved for a race taken up when its stage comes (the store itself is `tui.marks`).

A base of `ArdoiseApp`, as `tui.seeking` is: what it reads of the app (the engine, its
history, the marks, the screen's situation) the app sets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from race.models import Bib
from race.situation import Situation
from tui.marks import RaceMarks
from tui.seeking import Seeking

if TYPE_CHECKING:
    from race.card import RiderReading


class Marking(Seeking):
    """The riders the user follows: marked in the engine, kept per race."""

    _marks: RaceMarks
    _post_now: Callable[[Situation], None]
    """Draws a situation the user's choice made (`ArdoiseApp`'s method)."""

    def rider_reading(self, bib: Bib) -> RiderReading | None:
        """A rider's own last fix (his card)."""
        return self._engine.race.rider_reading(bib)

    def toggle_mark(self, bib: Bib) -> None:
        """Mark `bib`, or unmark him: the engine follows him from now on, the race's marks are
        saved, and the screen says it at once (paused: his mark only, the rest waits)."""
        marked = set(self._engine.race.situation.marked) ^ {bib}
        situation = self._engine.history.act("set_marked", marked)
        self._marks.save(situation.marked)
        self._say_mark_problems()
        shown = self._situation.model_copy(update={"marked": situation.marked})
        self._latest = situation
        self._render(shown if self._paused or self._engine.in_past else situation)

    def _follow_marks(self, situation: Situation) -> None:
        """A new race in the feed: its saved marks replace `[team] marked`."""
        marks = self._marks.for_stage(situation.stage)
        self._say_mark_problems()
        if marks is not None and set(marks) != set(self._engine.race.situation.marked):
            self._post_now(self._engine.history.act("set_marked", marks))

    def _say_mark_problems(self) -> None:
        for problem in self._marks.problems():
            self.notify(problem, severity="warning", timeout=15, markup=False)
