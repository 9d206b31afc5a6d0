"""The relay every browser session reads: `ardoise serve` in a child process on 127.0.0.1.

The configured feed is read once, by the relay; the sessions' apps read the relay's event
stream (the `sse` adapter), so a hundred viewers are one connection to the feed's source. The
relay is a process of its own: its CPU is measured apart (`bench/web.py`), and a viewer's app
cannot disturb it. It requires a token made at start, so that other users of the machine
cannot read it (the sessions are given the token in their environment).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from feeds.base import FeedError
from tui.web import launch

TOKEN_VARIABLE = "WEB_RELAY_TOKEN"
"""The relay's token, in its environment and the sessions'. Not an `ARDOISE_` name: the
configuration would report it as a setting it does not know."""
STOP_WITHIN_S = 5.0
"""The relay is killed when it has not stopped this long after being asked to."""
SERVING = re.compile(r" on (http://127\.0\.0\.1:\d+) ")
"""The relay's first line on stderr once it listens (`ardoise serve`), with its address."""


class Relay:
    """`ardoise serve` of the configuration, started by `start`, stopped by `stop`."""

    def __init__(self, config: Path | None) -> None:
        self.config = config.resolve() if config is not None else None
        self.token = secrets.token_urlsafe(24)
        self.url: str | None = None
        """The relay's address once started, e.g. "http://127.0.0.1:41234"."""
        self._process: subprocess.Popen[str] | None = None
        self._stopping = False

    @property
    def stream_url(self) -> str:
        assert self.url is not None, "the relay is not started"
        return f"{self.url}/stream"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def session_environment(self) -> dict[str, str]:
        """What a session's app needs in its environment to read the relay (the `sse` feed)."""
        return {
            "ARDOISE_FEED__ADAPTER": "sse",
            "ARDOISE_FEED__SSE__URL": self.stream_url,
            "ARDOISE_FEED__SSE__TOKEN_ENV": TOKEN_VARIABLE,
            TOKEN_VARIABLE: self.token,
        }

    def start(self) -> str:
        """Start the relay and return its address once it listens; `FeedError` if it stops
        first (its own lines, a configuration error for instance, are on stderr)."""
        config = ["--config", str(self.config)] if self.config is not None else []
        command = [sys.executable, "-m", "tui.cli", *config, "serve"]
        command += ["--host", "127.0.0.1", "--port", "0", "--token-env", TOKEN_VARIABLE]
        process = subprocess.Popen(
            launch.command(command),  # Ends with `ardoise web`, even killed.
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, TOKEN_VARIABLE: self.token},
            # Its own session: Ctrl-C in the terminal reaches `ardoise web`, which stops it.
            start_new_session=True,
        )
        self._process = process
        assert process.stderr is not None
        for line in process.stderr:
            found = SERVING.search(line)
            if found:
                self.url = found.group(1)
                break
            sys.stderr.write(line)  # A warning about the configuration, or why it stopped.
        if self.url is None:
            status = process.wait()
            raise FeedError(f"the relay (ardoise serve) stopped at start (exit status {status})")
        threading.Thread(
            target=self._forward, args=(process.stderr,), name="relay stderr", daemon=True
        ).start()
        return self.url

    def _forward(self, stream: IO[str]) -> None:
        """The relay's later lines on stderr, and its end when nobody asked for it."""
        for line in stream:
            sys.stderr.write(line)
        if self._process is not None and not self._stopping:
            status = self._process.wait()
            print(
                f"ardoise: the relay stopped (exit status {status}): every session shows its "
                "feed as lost",
                file=sys.stderr,
                flush=True,
            )

    def stop(self) -> None:
        """Stop the relay (SIGTERM, then SIGKILL after `STOP_WITHIN_S`)."""
        self._stopping = True
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
