"""What the feed worker tells the screen: a new situation, and whether a replay is still
catching up to its start point."""

from __future__ import annotations

from textual.message import Message

from race.situation import Situation


def catching_up(situation: Situation) -> bool:
    """The feed is still connecting: a replay delivering the stage up to its `skip_to_km` at
    once. Its race data is not drawn before it is live, so the first picture is the start
    point, not a fast-forward."""
    return situation.feed is not None and situation.feed.state == "connecting"


class SituationUpdated(Message):
    """A new situation from the engine. A burst collapses into the latest."""

    def __init__(
        self,
        situation: Situation,
        received_at: float,
        *,
        data_at: float | None = None,
        status_at: float | None = None,
    ) -> None:
        """
        Args:
            situation: the engine's situation after the event.
            received_at: when the event was received (monotonic clock).
            data_at: when the last race data was received (statuses are not data: a
                blackout's statuses must not make old data look fresh); None before any.
            status_at: when the feed's last status was received (counts down the retry).
        """
        super().__init__()
        self.situation = situation
        self.received_at = received_at
        self.data_at = data_at
        self.status_at = status_at

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SituationUpdated)
