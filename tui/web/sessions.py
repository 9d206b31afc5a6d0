"""One browser session: its own app process, driven through textual-serve's protocol.

textual-serve's `AppService` speaks to the app (its screen to the browser, keys and size to the
app); this subclass decides how the process starts and what the page says when it ends. The
command is fixed (the `ardoise` app on the relay, no shell): what a viewer types is only ever
the app's input. When the app stops on its own with an error, or is killed, the page says so
and stays open; the other sessions are other processes, untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from asyncio.subprocess import Process
from collections.abc import Sequence

from aiohttp.web import WebSocketResponse
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from tui.web import launch

QUIT_WITHIN_S = 5.0
"""An app asked to quit (its viewer left) is killed when it has not within this long."""
CLEAR = "\x1b[0m\x1b[2J\x1b[H"
"""Reset the colours, clear the browser's terminal, cursor home."""


def notice(*lines: str) -> bytes:
    """Lines written on a cleared terminal in the page (terminal line ends)."""
    return (CLEAR + "".join(f"\r\n  {line}" for line in lines) + "\r\n").encode()


def ended_notice(status: int) -> bytes:
    """What a viewer reads when their app stopped without being asked to."""
    how = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
    if status < 0:
        with contextlib.suppress(ValueError):
            how = f"killed by {signal.Signals(-status).name}"
    return notice(
        f"Ardoise stopped unexpectedly ({how}).",
        "Other viewers are not affected. Reload the page to start again.",
    )


class Session(AppService):
    """One viewer's app process (`argv`, with `environment` over textual-serve's own), drawn
    on its `page` (the websocket)."""

    def __init__(
        self,
        argv: Sequence[str],
        environment: dict[str, str],
        page: WebSocketResponse,
        download_manager: DownloadManager,
    ) -> None:
        super().__init__(
            " ".join(argv),  # Only in textual-serve's messages: `argv` is what runs.
            write_bytes=self._to_page,
            write_str=self._to_page,
            close=self._close_page,
            download_manager=download_manager,
        )
        self.argv = tuple(argv)
        self.environment = environment
        self.page = page
        self.process: Process | None = None
        self.status: int | None = None
        """The app's exit status once it has ended (negative: the signal that killed it)."""
        self._leaving = False
        """The viewer left or the server stops: the app's end is expected."""

    async def _to_page(self, data: bytes | str) -> None:
        if isinstance(data, bytes):
            await self.page.send_bytes(data)
        else:
            await self.page.send_str(data)

    async def _close_page(self) -> None:
        await self.page.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.status is None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        # The fixed command without a shell (textual-serve runs its command through one).
        environment = {**self._build_environment(width=width, height=height), **self.environment}
        self.process = process = await asyncio.create_subprocess_exec(
            *launch.command(list(self.argv)),  # Ends with `ardoise web`, even killed.
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,  # Ctrl-C in the server's terminal is the server's to handle.
        )
        assert process.stdin is not None
        self._process, self._stdin = process, process.stdin  # Where textual-serve reads them.
        return process

    async def run(self) -> None:
        await super().run()  # Until the app's output ends.
        assert self.process is not None
        self.status = await self.process.wait()
        with contextlib.suppress(ConnectionError, RuntimeError):  # The page may be gone.
            if self.status == 0 or self._leaving:
                await self.remote_close()  # The page says "Session ended", with Restart.
            else:
                await self.remote_write_bytes(ended_notice(self.status))

    async def on_meta(self, data: bytes) -> None:
        # The app says it exits before it has: the page is closed (or told why) once its
        # process has ended and its status is known, in `run`.
        with contextlib.suppress(ValueError):
            meta = json.loads(data)
            if isinstance(meta, dict) and meta.get("type") == "exit":
                return
        await super().on_meta(data)

    async def stop(self) -> None:
        """Ask the app to quit (the viewer left); kill it if it has not within `QUIT_WITHIN_S`."""
        self._leaving = True
        # Not `wait_for`: cancelled, textual-serve's reading task goes on until the app ends.
        killer = asyncio.get_running_loop().call_later(QUIT_WITHIN_S, self.kill)
        try:
            await super().stop()
        finally:
            killer.cancel()

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
