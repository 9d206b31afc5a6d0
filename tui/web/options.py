"""The options of `ardoise web`, checked before anything starts: a bad one is said in one line
that names it (exit status 2)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 10
"""Each session is one app process (about 70 MB and 3 % of a core, see the README): ten fit on a
small machine; a bigger audience raises it on purpose."""


class WebOptionError(ValueError):
    """An option of `ardoise web` that cannot be used."""

    def __init__(self, option: str, reason: str) -> None:
        self.option = option
        self.reason = reason
        super().__init__(f"{option}: {reason}")


@dataclass(frozen=True)
class WebOptions:
    config: Path | None
    host: str
    port: int
    public_url: str | None
    """The address browsers use (behind a reverse proxy), without a trailing slash; None: the
    address each browser asked for."""
    max_sessions: int


def add_web_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `web` subcommand's parser (its values are checked by `web_options`)."""
    web = commands.add_parser(
        "web",
        help="serve the app to browsers, every session on one relay of the feed",
        description=(
            "Read the configured feed once (a relay, as `ardoise serve`, on 127.0.0.1) and serve "
            "the app to web browsers: every browser session runs its own app on the relay's "
            "stream (pause, seek and theme are its own). Past --max-sessions, a visitor gets a "
            "page saying the viewer is full."
        ),
    )
    web.add_argument(
        "--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help="configuration file"
    )
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    web.add_argument(
        "--port", default=str(DEFAULT_PORT), metavar="N", help=f"port ({DEFAULT_PORT}; 0: any)"
    )
    web.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, behind a reverse proxy (e.g. https://example.org/live)",
    )
    web.add_argument(
        "--max-sessions",
        default=str(DEFAULT_MAX_SESSIONS),
        metavar="N",
        help=f"browser sessions at once ({DEFAULT_MAX_SESSIONS}); one app process each",
    )


def web_options(args: argparse.Namespace) -> WebOptions:
    """The options given to `ardoise web`; `WebOptionError` for the first bad one."""
    host = str(args.host).strip()
    if not host:
        raise WebOptionError("--host", "an address is needed, e.g. 127.0.0.1")
    return WebOptions(
        config=args.config,
        host=host,
        port=_whole("--port", args.port, 0, 65535),
        public_url=_public_url(args.public_url),
        max_sessions=_whole("--max-sessions", args.max_sessions, 1, 10_000),
    )


def _whole(option: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise WebOptionError(option, f"not a whole number: {text!r}") from None
    if not low <= value <= high:
        raise WebOptionError(option, f"must be from {low} to {high} (got {value})")
    return value


def _public_url(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (read for its check: a port that is not a number raises)
    except ValueError as error:
        raise WebOptionError("--public-url", f"not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebOptionError("--public-url", f"must be http(s)://host[/path], not {text!r}")
    if parts.query or parts.fragment:
        raise WebOptionError("--public-url", "must have no ?query or #fragment")
    return parts.geturl().rstrip("/")
