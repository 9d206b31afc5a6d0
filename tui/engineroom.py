"""The engine behind the screen: the live engine, its history and the time machine over it.

Taken up at a replay's start point (`tui.startpoint`), the race is first drawn from the
situation kept there; the engine itself is taken up only when something needs it (the feed,
a key), after that first picture: its modules and its history are a tenth of the launch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui import collection
from tui.timemachine import TimeMachine

if TYPE_CHECKING:
    from feeds.base import Resumable
    from race.engine import Race
    from race.history import History
    from race.settings import EngineSettings
    from race.situation import Situation
    from tui.startpoint import Restored


class EngineRoom:
    """The live engine with its history and time machine, built or taken up when first used."""

    def __init__(
        self,
        settings: EngineSettings,
        *,
        race: Race | None = None,
        restored: Restored | None = None,
        resumable: Resumable | None = None,
    ) -> None:
        """
        Args:
            settings: the engine's settings.
            race: an engine that has applied events already (tests), else a new one.
            restored: a start point to take up (its situation is the race until then).
            resumable: the feed to start from the start point's state when it is taken up.
        """
        self._settings = settings
        self._restored = restored
        self._resumable = resumable
        self._machine: TimeMachine | None = None
        self.start_point_lost = False
        """The start point could not be taken up: the engine starts from the stage's start."""
        self._settle_asked = False
        if restored is None:
            self._machine = self._new(race)

    def _new(self, race: Race | None = None) -> TimeMachine:
        from race.engine import Race
        from race.history import History

        return TimeMachine(History(race if race is not None else Race(self._settings)))

    def take_up(self) -> None:
        """Take up the start point now (once), the feed with it; when it cannot be read, a new
        engine (the feed then plays the replay from its start)."""
        restored, self._restored = self._restored, None
        if restored is None:
            return
        taken = restored.take_up()
        if taken is None:
            self.start_point_lost = True
            self._machine = self._new()
            return
        self._machine = TimeMachine(taken.history)
        collection.long_lived()  # As what the app had before its first picture.
        if self._resumable is not None:
            self._resumable.start_from(taken.feed_point)

    def settle_after(self, schedule: Callable[[Callable[[], None]], object]) -> None:
        """Have `schedule` call the history's dearer bookkeeping (`History.settle`): the app
        has it done once the new situation is drawn. Asked once until it is done."""
        if not self._settle_asked:
            self._settle_asked = True
            schedule(self._settle)

    def _settle(self) -> None:
        self._settle_asked = False
        if self._machine is not None:
            self._machine.history.settle()

    @property
    def taken_up(self) -> bool:
        """Whether the engine is there (built, or taken up from the start point)."""
        return self._machine is not None

    @property
    def machine(self) -> TimeMachine:
        if self._machine is None:
            self.take_up()
        assert self._machine is not None
        return self._machine

    @property
    def history(self) -> History:
        return self.machine.history

    @property
    def race(self) -> Race:
        return self.machine.history.race

    @property
    def situation(self) -> Situation:
        """The live engine's situation (the start point's while it is not taken up)."""
        if self._restored is not None:
            return self._restored.situation
        return self.race.situation

    @property
    def in_past(self) -> bool:
        """The viewer is in the past (never before the engine is there)."""
        return self._machine is not None and self._machine.in_past
