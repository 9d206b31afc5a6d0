"""The feed adapter contract.

An adapter is a small class: an options model validated from `config.toml`, capability flags,
and an async iterator of `FeedEvent`s. Adapters are found by name through the entry-point group
`ardoise.feeds` (see `feeds.registry`), so a third-party package can ship one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar, Generic

from pydantic import BaseModel, ConfigDict
from typing_extensions import TypeVar

from feeds.text import clean_text
from race.models import FeedEvent


class FeedOptions(BaseModel):
    """Base of every adapter's options: unknown keys are configuration errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=FeedOptions, covariant=True, default=FeedOptions)
"""An adapter's options type. Covariant, defaulting to `FeedOptions`: a bare `FeedAdapter`
annotation stands for any adapter (what the registry finds)."""


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can do beyond yielding events (the app asks before it acts)."""

    pause: bool = False
    """Replays: `pause()` stops the replay clock, `resume()` restarts it."""
    seek: bool = False
    """Replays: `set_speed()` changes the pace, `go_ahead_to_km()` delivers at once up to a
    point of the stage (the app's time machine, past what has been delivered)."""


class FeedAdapter(ABC, Generic[OptionsT]):
    """Base class of feed adapters.

    Subclasses name their options type (`class MyFeed(FeedAdapter[MyOptions])`), set `name`,
    `Options` (the same class, for the registry to validate the configuration with) and
    `capabilities`, and implement `events()`.
    """

    name: ClassVar[str]
    Options: ClassVar[type[FeedOptions]]
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, options: OptionsT) -> None:
        # Checked here once: an adapter found through the registry is typed as any adapter.
        expected = type(self).Options
        if not isinstance(options, expected):
            raise TypeError(
                f"{type(self).__name__} needs {expected.__name__}, not {type(options).__name__}"
            )
        self.options: OptionsT = options

    @abstractmethod
    def events(self) -> AsyncIterator[FeedEvent]:
        """Yield the feed's events, a `StartList` first; ends when the feed ends.

        Malformed input is never raised: it is counted and reported in a `FeedStatus`.
        """

    def pause(self) -> None:
        """Stop the replay clock (only when `capabilities.pause`)."""

    def resume(self) -> None:
        """Restart the replay clock (only when `capabilities.pause`)."""

    @property
    def speed(self) -> float | None:
        """A replay's speed now (x real time, 0: as fast as possible); None for a live feed."""
        return None

    @property
    def max_speed(self) -> float | None:
        """The highest speed `set_speed` takes: the bound of the options' `speed`."""
        field = type(self).Options.model_fields.get("speed")
        bounds = [m.le for m in field.metadata if hasattr(m, "le")] if field else []
        return float(bounds[0]) if bounds else None

    def set_speed(self, speed: float) -> None:
        """Replay at `speed` from now on (only when `capabilities.seek`)."""

    def go_ahead_to_km(self, km: float) -> None:
        """Deliver at once every frame before the head of the race is `km` from the line, then
        go on at the replay's pace (only when `capabilities.seek`)."""

    async def aclose(self) -> None:
        """Release connections and files."""


class Resumable(ABC):
    """A replay that can be taken up again at its start point (the end of its skip to
    `skip_to_km`), with the same events to come: `tui.startpoint` keeps the point between
    launches. A feed adapter that can do it is one of these as well."""

    @abstractmethod
    def start_point_key(self) -> str | None:
        """What the start point depends on, as text, when this replay has one to keep; None
        when it has not (no skip, or a replay played whole)."""

    @abstractmethod
    def start_point(self) -> bytes | None:
        """The replay's own state at its start point, pickled: only right after the `live`
        status that ends the skip, before the next event is asked for; None elsewhere."""

    @abstractmethod
    def start_from(self, point: bytes) -> None:
        """Take the replay up at a start point `start_point` gave (on the same options): its
        `events()` then begin with the `live` status, then the events after the skip. The
        skipped events are not sent: the engine that had them is restored with it."""


class FeedError(Exception):
    """A feed cannot start at all (file missing, unreadable format): reported, then exit.

    The message is cleaned (`feeds.text`): it often quotes the feed's own content.
    """

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(clean_text(message))
        self.option = option
        """The adapter option at fault, when one is (named in the configuration error)."""
