"""What the network adapters share: timeouts, reconnection, staleness, the token, the bounds.

A network adapter (`racecenter`, `http`, `sse`) is a `LiveFeed`: its `run()` is the connection
loop (connect, read, and on any failure wait and try again); it runs as a task that hands its
events to `events()` through a bounded queue. `events()` adds what only the reader can know:
when nothing has come for `stale_after_s`, it says so (`stale`), and says `live` again when data
returns. Nothing a provider sends can stop the loop: bad events are counted (`rejected`) and
reported, failures (`feeds.net.failures` words them) are reported with their reason and
retried with exponential backoff and jitter, never longer than `backoff_max_s` apart.

A stream that delivered events and then breaks its own framing (a mis-sized chunk: the Race
Center ends its streams so every one to few minutes) has ended, not failed: `stream` returns
as at a clean end, the loop reopens at once, and the drop is only counted (`drops`). Only
attempts that fail in a row, with nothing received, report `reconnecting`.

One `httpx.AsyncClient` per adapter, for its whole life; TLS certificates are always verified.
The optional token is read from the environment variable named by `token_env`, sent as
`Authorization: Bearer …`, and replaced by `***` in every status detail: it never reaches the
screen, a log or a recording. Status details quote the server (a reason phrase, a bad event's
id and reason): they are cleaned of control characters (`feeds.text`) in `status`.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field, model_validator
from typing_extensions import TypeVar

from feeds.base import FeedAdapter, FeedError, FeedOptions
from feeds.net.backoff import Backoff
from feeds.net.failures import Failure, cut_short, network_failure, status_failure
from feeds.net.sse import ServerSentEvent, SSEDecoder
from feeds.text import clean_text
from race.models import FeedEvent, FeedState, FeedStatus

if TYPE_CHECKING:
    import httpx

QUEUE_EVENTS = 256
"""Events read ahead of the consumer; when full, reading pauses (TCP pushes back on the server)."""
USER_AGENT = "ardoise (+https://pypi.org/project/ardoise/)"
MB = 1_000_000


class NetOptions(FeedOptions):
    """Options every network adapter has (`[feed.<adapter>]`)."""

    connect_timeout_s: float = Field(default=10.0, gt=0, le=120)
    """Give up a connection attempt (DNS, TCP, TLS, the response headers) after this long."""

    read_timeout_s: float = Field(default=30.0, gt=0, le=600)
    """A connection that delivers no byte for this long is dead (a stall): drop it and
    reconnect. Servers send keep-alives more often than this."""

    stale_after_s: float = Field(default=15.0, gt=0, le=600)
    """No event for this long: the feed is reported `stale` (the screen then estimates)."""

    backoff_initial_s: float = Field(default=1.0, gt=0, le=60)
    """First wait before reconnecting; it doubles at each failure in a row."""

    backoff_max_s: float = Field(default=30.0, gt=0, le=600)
    """Never wait longer than this between two attempts: once the network is back, the feed
    is back within this time."""

    max_event_mb: float = Field(default=4.0, gt=0, le=256)
    """An event (or a response) larger than this many MB is dropped and counted as bad
    (a 180-rider frame is ~0.04 MB): a broken server cannot exhaust memory."""

    token_env: str | None = None
    """Name of the environment variable holding a token for the feed, sent as
    `Authorization: Bearer <token>`. The token itself never goes in a file."""

    @model_validator(mode="after")
    def _ordered(self) -> NetOptions:
        if self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff_max_s must be at least backoff_initial_s")
        return self

    @property
    def max_bytes(self) -> int:
        return int(self.max_event_mb * MB)


def read_token(variable: str | None) -> str | None:
    """The token from the environment; `FeedError` if the variable is named but not set."""
    if variable is None:
        return None
    value = os.environ.get(variable, "").strip()
    if not value:
        raise FeedError(
            f"the environment variable {variable} is not set (it holds the feed's token)",
            option="token_env",
        )
    return value


class _Stop:
    """Put in the queue when the feed has ended."""


@dataclass(frozen=True)
class _Crash:
    """Put in the queue when the connection loop itself failed (a bug, not the network)."""

    error: BaseException


QueueItem = FeedEvent | _Stop | _Crash


NetOptionsT = TypeVar("NetOptionsT", bound=NetOptions, covariant=True, default=NetOptions)
"""A network adapter's options type (a bare `LiveFeed` stands for any network adapter)."""


class LiveFeed(FeedAdapter[NetOptionsT]):
    """Base of the network adapters (see the module docstring).

    Subclasses (`class MyFeed(LiveFeed[MyOptions])`) implement `run()` with the helpers below:
    `emit` (an event), `reject` (a bad one), `connected`, `retry` (after a `Failure`), `end`;
    `get` and `stream` do the HTTP.
    """

    def __init__(self, options: NetOptionsT, *, rng: random.Random | None = None) -> None:
        super().__init__(options)
        self._token = read_token(options.token_env)
        self._backoff = Backoff(options.backoff_initial_s, options.backoff_max_s, rng)
        self._client: httpx.AsyncClient | None = None
        self._queue: asyncio.Queue[QueueItem] | None = None
        self._task: asyncio.Task[None] | None = None
        self.link: FeedState = "connecting"
        """The connection's state as the loop knows it (`stale` is added by `events()`)."""
        self.failures = 0
        """Failed attempts in a row (the `attempt` shown while reconnecting)."""
        self.rejected = 0
        self.received = 0
        """Events delivered so far."""
        self.duplicates = 0
        """Events received twice (after a reconnection, or sent twice), delivered once."""
        self.drops = 0
        """Streams that ended by a framing error after delivering events (reopened at once)."""
        self._stale = False

    # --- For subclasses ----------------------------------------------------------------------

    @property
    @abstractmethod
    def where(self) -> str:
        """Where the feed comes from, for the first status ("connecting to …")."""

    @abstractmethod
    async def run(self) -> None:
        """The connection loop: returns only when the feed has ended (after `end`)."""

    def client(self) -> httpx.AsyncClient:
        """The adapter's one HTTP client, created on first use in the running loop."""
        if self._client is None:
            import httpx

            o = self.options
            headers = {"User-Agent": USER_AGENT}
            if self._token is not None:
                headers["Authorization"] = f"Bearer {self._token}"
            self._client = httpx.AsyncClient(
                headers=headers,
                timeout=httpx.Timeout(
                    connect=o.connect_timeout_s,
                    read=o.read_timeout_s,
                    write=o.connect_timeout_s,
                    pool=o.connect_timeout_s,
                ),
                follow_redirects=True,  # httpx drops Authorization when the origin changes.
                limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
            )
        return self._client

    async def emit(self, event: FeedEvent) -> None:
        """Deliver a data event (waits while the reader is behind)."""
        if self.failures:
            self.failures = 0
        self.received += 1
        await self._put(event)

    async def reject(self, reason: str) -> None:
        """Count a bad event and say why (it is skipped, never fatal)."""
        self.rejected += 1
        await self._put(self.status(self.link, reason))

    async def notice(self, detail: str) -> None:
        """Say something about the feed (in the status detail), its state unchanged."""
        await self._put(self.status(self.link, detail))

    async def connected(self, detail: str) -> None:
        """The connection works: report `live` unless already."""
        if self.link != "live":
            self.link = "live"
            await self._put(self.status("live", detail))

    async def retry(self, failure: Failure) -> None:
        """Report a failure, then wait before the next attempt."""
        self.failures += 1
        if failure.bad_data:
            self.rejected += 1
        delay = self._backoff.delay(self.failures)
        if not failure.transient:
            delay = self.options.backoff_max_s
        if failure.retry_after_s is not None:
            delay = min(max(delay, failure.retry_after_s), self.options.backoff_max_s)
        self.link = "reconnecting" if failure.transient else "error"
        await self._put(self.status(self.link, failure.reason, retry_in_s=delay))
        await asyncio.sleep(delay)

    async def end(self, detail: str) -> None:
        self.link = "ended"
        await self._put(self.status("ended", detail))
        await self._put(_Stop())

    def status(
        self, state: FeedState, detail: str, *, retry_in_s: float | None = None
    ) -> FeedStatus:
        return FeedStatus(
            state=state,
            at=time.time(),
            detail=clean_text(self.redact(detail)),
            attempt=self.failures if state in ("reconnecting", "error") and self.failures else None,
            retry_in_s=round(retry_in_s, 2) if retry_in_s is not None else None,
            rejected=self.rejected,
        )

    def redact(self, text: str) -> str:
        """`text` without the token."""
        return text.replace(self._token, "***") if self._token else text

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        accept_not_modified: bool = False,
    ) -> tuple[httpx.Response, bytes]:
        """GET `url`: the response and its body, at most `max_event_mb`. Raises `Failure`."""
        import httpx

        limit = self.options.max_bytes
        try:
            async with self.client().stream("GET", url, params=params, headers=headers) as response:
                if response.status_code == 304 and accept_not_modified:
                    return response, b""
                if response.status_code != 200:
                    raise status_failure(response, self._token is not None)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise Failure(_too_large(int(declared), limit), transient=False, bad_data=True)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise Failure(
                            _too_large(len(body), limit, more=True), transient=False, bad_data=True
                        )
                return response, bytes(body)
        except httpx.HTTPError as error:
            raise self._network_failure(error) from None

    def _network_failure(self, error: Exception) -> Failure:
        o = self.options
        return network_failure(
            error, connect_timeout_s=o.connect_timeout_s, read_timeout_s=o.read_timeout_s
        )

    async def stream(
        self,
        url: str,
        on_event: Callable[[ServerSentEvent], Awaitable[bool]],
        *,
        last_event_id: str | None = None,
    ) -> tuple[bool, str]:
        """Read the event stream at `url` until the server ends it.

        `on_event` returns False to stop reading. Returns whether any event came and the
        stream's last event id. A framing error after at least one event ends the stream as
        the server ending it would (counted in `drops`). Raises `Failure` (the reason says
        what happened).
        """
        import httpx

        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        decoder = SSEDecoder(self.options.max_bytes)
        got = False
        try:
            async with self.client().stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    raise status_failure(response, self._token is not None)
                kind = response.headers.get("content-type", "").partition(";")[0].strip()
                if kind != "text/event-stream":
                    what = kind or "no content type"
                    raise Failure(f"not an event stream ({what})", transient=False)
                await self.connected(f"connected to {self.where}")
                async for chunk in response.aiter_bytes():
                    for sse in decoder.feed(chunk):
                        got = True
                        if not await on_event(sse):
                            return got, decoder.last_event_id
        except httpx.HTTPError as error:
            if got and _framing_error(error):
                self.drops += 1
                return got, decoder.last_event_id
            raise self._network_failure(error) from None
        finally:
            decoder.close()
        return got, decoder.last_event_id

    # --- The reader's side ---------------------------------------------------------------------

    async def events(self) -> AsyncIterator[FeedEvent]:
        queue: asyncio.Queue[QueueItem] = asyncio.Queue(maxsize=QUEUE_EVENTS)
        self._queue = queue
        self._task = asyncio.create_task(self._guarded_run(), name=f"{self.name} feed")
        yield self.status("connecting", f"connecting to {self.where}")
        last_data = time.monotonic()
        try:
            while True:
                wait: float | None = None
                if self.link == "live" and not self._stale:
                    wait = max(0.0, last_data + self.options.stale_after_s - time.monotonic())
                try:
                    async with asyncio.timeout(wait):
                        item = await queue.get()
                except TimeoutError:
                    self._stale = True
                    quiet = time.monotonic() - last_data
                    yield self.status("stale", f"no data for {quiet:.0f} s")
                    continue
                if isinstance(item, _Stop):
                    return
                if isinstance(item, _Crash):
                    raise item.error
                if not isinstance(item, FeedStatus):
                    last_data = time.monotonic()
                    if self._stale:
                        self._stale = False
                        yield self.status(self.link, "receiving again")
                elif item.state != "live":
                    self._stale = False  # Reconnecting / error say more than stale.
                yield item
        finally:
            await self.aclose()

    async def _guarded_run(self) -> None:
        try:
            await self.run()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # A bug in the loop: the reader raises it (the app shows it).
            await self._put(_Crash(error))

    async def _put(self, item: QueueItem) -> None:
        if self._queue is None:
            raise RuntimeError("events() is not being read")
        await self._queue.put(item)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])  # Never raises: the loop's own end is of no interest.
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _framing_error(error: Exception) -> bool:
    """A response whose framing broke (a chunk of the wrong size, a bad chunk header), as
    opposed to a connection lost mid-response (the body stops short: maybe the network)."""
    import httpx

    return isinstance(error, httpx.RemoteProtocolError) and not cut_short(error)


def _too_large(size: int, limit: int, *, more: bool = False) -> str:
    if more:  # Reading stopped at the limit: the real size is not known.
        return f"response larger than the {limit / MB:g} MB limit"
    return f"response of {size / MB:.1f} MB, over the {limit / MB:g} MB limit"
