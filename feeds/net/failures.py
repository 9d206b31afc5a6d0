"""Why a connection attempt failed, in a few words for the header, and whether to retry soon.

The network adapters turn every transport error (`network_failure`) and every unusable HTTP
status (`status_failure`) into a `Failure`; `LiveFeed.retry` reports its reason and waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


class Failure(Exception):
    """A connection attempt that failed: why, and whether trying again soon can help."""

    def __init__(
        self,
        reason: str,
        *,
        transient: bool = True,
        retry_after_s: float | None = None,
        bad_data: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        """False when only a change on the other side will help (404, 401, a bad URL): reported
        as `error`, still retried, at the longest interval."""
        self.retry_after_s = retry_after_s
        self.bad_data = bad_data
        """The server answered, with something unusable (too large, not the format): the
        response is also counted as a bad event."""
        self.status = status
        """The HTTP status that was not the data (e.g. 204: nothing published yet), if any."""


def network_failure(
    error: Exception, *, connect_timeout_s: float, read_timeout_s: float
) -> Failure:
    """A transport error as a short reason for the header (the timeouts are named in it)."""
    import httpx

    if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure(f"no connection within {connect_timeout_s:g} s")
    if isinstance(error, httpx.ReadTimeout):
        return Failure(f"stalled: no data for {read_timeout_s:g} s")
    if isinstance(error, httpx.TimeoutException):
        return Failure("timed out")
    if isinstance(error, httpx.ConnectError):
        text = str(error)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
            return Failure(f"TLS certificate not trusted: {_short(text)}", transient=False)
        if "refused" in text.lower() or _caused_by(error, ConnectionRefusedError):
            return Failure("cannot connect: connection refused")
        return Failure(f"cannot connect: {_short(text) or type(error).__name__}")
    if isinstance(error, httpx.RemoteProtocolError):
        text = str(error)
        if cut_short(error):
            return Failure("connection dropped mid-response")
        if "without sending a response" in text:
            return Failure("connection dropped before a response")
        return Failure(f"connection dropped: {_short(text) or 'protocol error'}")
    if isinstance(error, httpx.NetworkError):
        return Failure(f"connection lost: {_short(str(error)) or type(error).__name__}")
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Failure(f"bad URL: {_short(str(error))}", transient=False)
    return Failure(f"{type(error).__name__}: {_short(str(error))}")


def cut_short(error: Exception) -> bool:
    """Whether a response stopped before its end (the connection closed mid-body), as opposed
    to one whose framing broke (a chunk of the wrong size: the server's fault, not the link's)."""
    text = str(error)
    return "incomplete" in text or "complete message body" in text


def status_failure(response: httpx.Response, has_token: bool) -> Failure:
    """An HTTP status that is not the data: retried soon only when the server may recover."""
    code = response.status_code
    reason = f"HTTP {code} {response.reason_phrase}".rstrip()
    if code in (401, 403):
        reason += " (check the token)" if has_token else " (the feed needs a token: token_env)"
    retry_after: float | None = None
    value = response.headers.get("retry-after", "")
    if value.isdigit():
        retry_after = float(value)
    transient = code >= 500 or code in (408, 425, 429)
    return Failure(reason, transient=transient, retry_after_s=retry_after, status=code)


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is in the chain of causes of `error` (anyio wraps the OS error)."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    if text.startswith("[Errno"):
        text = text.partition("] ")[2] or text
    return text if len(text) <= limit else text[: limit - 1] + "…"
