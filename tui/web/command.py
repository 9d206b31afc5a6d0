"""`ardoise web`: the relay, then the web site, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import sys

from aiohttp import web

from feeds.base import FeedError
from feeds.tools.server import listen
from tui.web.options import WebOptions
from tui.web.relay import Relay
from tui.web.site import WebSite

EXIT_OPTION = 2
"""As every bad option of the command line (argparse's status)."""
SHUTDOWN_WITHIN_S = 5.0
"""On Ctrl-C, open pages are closed and their apps asked to quit within this long."""


def session_command(options: WebOptions) -> list[str]:
    """The one command every session runs: the app, on the same configuration (its feed
    replaced by the relay's stream in the session's environment)."""
    config = ["--config", str(options.config.resolve())] if options.config is not None else []
    return [sys.executable, "-m", "tui.cli", *config]


def serve_web(options: WebOptions, feed_label: str) -> int:
    """Serve the app to browsers until interrupted (the configuration is already checked)."""
    try:  # Before the relay: a port in use stops at once.
        sock = listen(options.host, options.port)
    except FeedError as error:
        print(f"ardoise: --host/--port: {error}", file=sys.stderr)
        return EXIT_OPTION
    relay = Relay(options.config)
    try:
        relay_url = relay.start()
        site = WebSite(
            session_command(options),
            relay.session_environment(),
            max_sessions=options.max_sessions,
            public_url=options.public_url,
            relay_running=lambda: relay.running,
        )
        app = site.application()
        host, port = sock.getsockname()[:2]
        where = options.public_url or f"http://{f'[{host}]' if ':' in host else host}:{port}"

        async def ready(app: web.Application) -> None:
            print(
                f"ardoise: serving the app to browsers on {where} (at most "
                f"{options.max_sessions} sessions), all reading the relay of the {feed_label} "
                f"feed on {relay_url}; Ctrl-C stops",
                file=sys.stderr,
                flush=True,
            )

        app.on_startup.append(ready)
        web.run_app(
            app,
            sock=sock,
            print=None,
            access_log=None,
            shutdown_timeout=SHUTDOWN_WITHIN_S,
            handle_signals=True,
        )
    finally:
        sock.close()
        relay.stop()
    return 0
