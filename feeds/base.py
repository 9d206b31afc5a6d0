"""The feed adapter contract.

An adapter is a small class: an options model validated from `config.toml`, capability flags,
and an async iterator of `FeedEvent`s. Adapters are found by name through the entry-point group
`ardoise.feeds` (see `feeds.registry`), so a third-party package can ship one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from race.models import FeedEvent


class FeedOptions(BaseModel):
    """Base of every adapter's options: unknown keys are configuration errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can deliver and do."""

    telemetry: bool = False
    """Yields rider positions (`Telemetry`)."""
    reported_groups: bool = False
    """Yields the provider's own groups (`ReportedGroups`)."""
    pause: bool = False
    """Replays: `pause()` stops the replay clock, `resume()` restarts it."""
    seek: bool = False
    live: bool = False
    """Follows a live source over the network (reconnects, reports staleness)."""


class FeedAdapter(ABC):
    """Base class of feed adapters.

    Subclasses set `name`, `Options` and `capabilities`, and implement `events()`.
    """

    name: ClassVar[str]
    Options: ClassVar[type[FeedOptions]]
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, options: FeedOptions) -> None:
        self.options = options

    @abstractmethod
    def events(self) -> AsyncIterator[FeedEvent]:
        """Yield the feed's events, a `StartList` first; ends when the feed ends.

        Malformed input is never raised: it is counted and reported in a `FeedStatus`.
        """

    def pause(self) -> None:  # noqa: B027 (optional hook: a no-op unless the adapter can pause)
        """Stop the replay clock (only when `capabilities.pause`)."""

    def resume(self) -> None:  # noqa: B027 (optional hook)
        """Restart the replay clock (only when `capabilities.pause`)."""

    async def aclose(self) -> None:  # noqa: B027 (optional hook: nothing to release)
        """Release connections and files."""


class FeedError(Exception):
    """A feed cannot start at all (file missing, unreadable format): reported, then exit."""

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option
        """The adapter option at fault, when one is (named in the configuration error)."""
