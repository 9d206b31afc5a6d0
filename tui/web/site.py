"""The web site of `ardoise web`: the page, its websocket (one app process each), the cap.

textual-serve's page and scripts draw the app in the browser; its `Server` is not used as it
is because the site also caps the sessions (past `max_sessions`, a plain page says the viewer
is full, not a terminal that breaks), starts each app without a shell, and builds the page's
addresses from the address the browser asked for unless a public URL is given.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.download_manager import DownloadManager

from tui.web.sessions import Session, notice

SERVE_FILES = Path(textual_serve.__file__).parent
"""textual-serve's page template and the scripts that draw a terminal in the browser."""
MAX_SIZE = (400, 200)
"""The largest terminal a browser may ask for (columns, rows): a bound on each app's work."""
MIN_SIZE = (1, 1)
"""The smallest terminal a browser may ask for (columns, rows)."""
MAX_MESSAGE_BYTES = 64 * 1024
"""A browser's messages are keys, sizes and pings: anything bigger is refused."""
FULL_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}: the viewer is full</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em">
<h1>The viewer is full</h1>
<p>{title} is showing the race to {viewers}, as many as it can at once.
Try again in a minute: a place frees up as soon as a viewer leaves.</p>
</body>
</html>
"""


class WebSite:
    """The aiohttp application: `/` (the page, or the full page), `/ws` (a session),
    `/static/...` (textual-serve's scripts), `/health` (sessions, as JSON)."""

    def __init__(
        self,
        argv: Sequence[str],
        environment: dict[str, str],
        *,
        max_sessions: int,
        public_url: str | None = None,
        title: str = "Ardoise",
        relay_running: Callable[[], bool] = lambda: True,
    ) -> None:
        self.argv = tuple(argv)
        self.environment = environment
        self.max_sessions = max_sessions
        self.public_url = public_url
        self.title = title
        self.relay_running = relay_running
        self.sessions: set[Session] = set()
        self.downloads = DownloadManager()

    @property
    def running(self) -> int:
        """Sessions whose app runs (a page whose app has ended holds no place)."""
        return sum(1 for session in self.sessions if session.running)

    @property
    def full(self) -> bool:
        return self.running >= self.max_sessions

    def application(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(SERVE_FILES / "templates"))
        app.add_routes(
            [
                web.get("/", self.index, name="index"),
                web.get("/ws", self.websocket, name="websocket"),
                web.get("/health", self.health),
                web.static("/static", SERVE_FILES / "static", name="static"),
            ]
        )
        app.on_shutdown.append(self._close_sessions)
        return app

    def _base(self, request: web.Request) -> str:
        """The address the page's own links start with."""
        return self.public_url or f"{request.scheme}://{request.host}"

    async def index(self, request: web.Request) -> web.StreamResponse:
        if self.full:
            count = self.running
            viewers = f"{count} viewer" if count == 1 else f"{count} viewers"
            page = FULL_PAGE.format(title=html.escape(self.title), viewers=viewers)
            return web.Response(
                text=page,
                status=503,
                content_type="text/html",
                headers={"Retry-After": "60", "Cache-Control": "no-store"},
            )
        base = self._base(request)
        websocket = base + str(request.app.router["websocket"].url_for())
        static = base + str(request.app.router["static"].url_for(filename="/"))
        context = {
            "font_size": _number(request.query.get("fontsize"), 16, 6, 64),
            "app_websocket_url": "ws" + websocket.removeprefix("http"),
            "config": {"static": {"url": static.rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "sessions": self.running,
                "max_sessions": self.max_sessions,
                "relay": "running" if self.relay_running() else "stopped",
            }
        )

    def _from_the_page(self, request: web.Request) -> bool:
        """Whether a websocket is opened by this site's page: a browser says which page opens
        it (`Origin`), and another site's page must not take the viewers' places."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # Not a browser (a script): no page of another site is involved.
        allowed = {f"{request.scheme}://{request.host}"}
        if self.public_url is not None:
            public = urlsplit(self.public_url)
            allowed.add(f"{public.scheme}://{public.netloc}")
        return origin in allowed

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self._from_the_page(request):
            raise web.HTTPForbidden(text="this viewer is opened from its own page only\n")
        socket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE_BYTES)
        await socket.prepare(request)
        if self.full:  # Two pages opened for the last place: the later one is told.
            await socket.send_bytes(notice("The viewer is full. Try again in a minute."))
            await socket.close()
            return socket
        columns = _number(request.query.get("width"), 80, MIN_SIZE[0], MAX_SIZE[0])
        rows = _number(request.query.get("height"), 24, MIN_SIZE[1], MAX_SIZE[1])
        session = Session(self.argv, self.environment, socket, self.downloads)
        self.sessions.add(session)
        try:
            await session.start(columns, rows)
            try:
                await _relay_input(socket, session)
            finally:
                await session.stop()
        finally:
            self.sessions.discard(session)
        return socket

    async def _close_sessions(self, app: web.Application) -> None:
        """The server stops: every app is asked to quit (killed if it does not)."""
        await asyncio.gather(*(session.stop() for session in list(self.sessions)))


async def _relay_input(socket: web.WebSocketResponse, session: Session) -> None:
    """The browser's messages to the app: keys, the terminal's size, focus; pings answered.
    A message that is not one of those is ignored."""
    async for message in socket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            envelope: Any = json.loads(message.data)
        except ValueError:
            continue
        if not isinstance(envelope, list) or not envelope:
            continue
        kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await session.send_bytes(data.encode("utf-8", "replace"))
        elif kind == "resize" and isinstance(data, dict):
            columns = _number(data.get("width"), 80, MIN_SIZE[0], MAX_SIZE[0])
            rows = _number(data.get("height"), 24, MIN_SIZE[1], MAX_SIZE[1])
            await session.set_terminal_size(columns, rows)
        elif kind == "ping":
            await socket.send_json(["pong", data])
        elif kind == "blur":
            await session.blur()
        elif kind == "focus":
            await session.focus()


def _number(value: object, default: int, low: int, high: int) -> int:
    """A whole number a browser sent, within [low, high]; `default` when it is not one."""
    try:
        number = int(str(value))
    except ValueError:
        return default
    return min(max(number, low), high)
