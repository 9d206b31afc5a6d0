"""The web site of `ardoise web` in-process (aiohttp's test server), its sessions' apps stood
in for by small Python programs: the cap and its page, a dead app said on its page, the
browser's messages, the page's addresses."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.support.stages import ROOT
from tests.support.waiting import until
from tests.support.webserver import command_line
from tui.web.site import WebSite

pytestmark = pytest.mark.slow  # Each session is a process.

WITHIN_S = 20.0
FAILS = [sys.executable, "-c", "import sys; sys.exit(3)"]
"""An app that stops at once with an error."""
APP = """
import json, sys
read = sys.stdin.buffer.read
while kind := read(1):
    payload = read(int.from_bytes(read(4), "big"))
    if kind == b"M" and json.loads(payload)["type"] == "quit":
        break
    if kind == b"D" and len(sys.argv) > 1:
        open(sys.argv[1], "wb").write(payload)
"""
"""An app that speaks textual-serve's packets: it runs until it is told to quit (its viewer
left), and writes the first keys it is sent to the file named by its argument."""
WAITS = [sys.executable, "-c", APP]


@asynccontextmanager
async def site(
    argv: list[str], *, max_sessions: int, public_url: str | None = None
) -> AsyncIterator[tuple[WebSite, Callable[[str], str], aiohttp.ClientSession]]:
    web_site = WebSite(argv, {}, max_sessions=max_sessions, public_url=public_url)
    server = TestServer(web_site.application(), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as client:
            yield web_site, lambda path: str(server.make_url(path)), client
    finally:
        await server.close()


async def test_an_app_that_stops_with_an_error_is_said_on_its_page() -> None:
    async with site(FAILS, max_sessions=2) as (_, url, client):
        socket = await client.ws_connect(url("/ws"))
        message = await socket.receive(timeout=WITHIN_S)
        assert message.type == aiohttp.WSMsgType.BINARY
        assert b"Ardoise stopped unexpectedly (exit status 3)." in message.data
        assert b"Reload the page to start again." in message.data
        assert not socket.closed, "the page stays, with its notice"
        await socket.close()


async def test_an_app_that_ends_well_ends_its_page() -> None:
    """`q`: the app exits with status 0, the page is closed (it says "Session ended")."""
    async with site([sys.executable, "-c", "pass"], max_sessions=1) as (web_site, url, client):
        socket = await client.ws_connect(url("/ws"))
        message = await socket.receive(timeout=WITHIN_S)
        assert message.type == aiohttp.WSMsgType.CLOSE
        await until(lambda: not web_site.sessions, within=WITHIN_S, what="the session's end")


async def test_past_the_cap_a_plain_page_and_a_place_freed_when_a_viewer_leaves() -> None:
    async with site(WAITS, max_sessions=1) as (web_site, url, client):
        first = await client.ws_connect(url("/ws"))
        await until(lambda: web_site.running == 1, within=WITHIN_S, what="the first session")
        async with client.get(url("/")) as page:
            assert page.status == 503
            text = await page.text()
        assert "<h1>The viewer is full</h1>" in text
        assert "showing the race to 1 viewer, as many as it can at once" in text
        async with client.get(url("/health")) as health:
            state = await health.json()
        assert state == {"sessions": 1, "max_sessions": 1, "relay": "running"}
        late = await client.ws_connect(url("/ws"))  # A page opened before the place was taken.
        message = await late.receive(timeout=WITHIN_S)
        assert b"The viewer is full." in message.data
        assert (await late.receive(timeout=WITHIN_S)).type == aiohttp.WSMsgType.CLOSE
        await first.close()  # The viewer leaves: the app is told to quit, and does.
        await until(lambda: not web_site.sessions, within=WITHIN_S, what="the session's end")
        async with client.get(url("/")) as page:
            assert page.status == 200


async def test_the_page_addresses_the_public_url_or_the_address_asked() -> None:
    async with site(WAITS, max_sessions=1) as (_, url, client):
        async with client.get(url("/")) as page:
            text = await page.text()
        asked = url("/").removeprefix("http://").rstrip("/")
        assert f'data-session-websocket-url="ws://{asked}/ws"' in text
        assert f"http://{asked}/static/js/textual.js" in text
    async with site(WAITS, max_sessions=1, public_url="https://example.org/live") as (
        _,
        url,
        client,
    ):
        async with client.get(url("/")) as page:
            text = await page.text()
        assert 'data-session-websocket-url="wss://example.org/live/ws"' in text
        assert "https://example.org/live/static/js/textual.js" in text


async def test_what_a_browser_sends_is_only_the_apps_input(tmp_path: Path) -> None:
    """Messages that are not keys, sizes or pings are ignored; keys reach the app's stdin as
    textual-serve's data packets, never a shell."""
    marker, typed = tmp_path / "marker", tmp_path / "typed"
    async with site([*WAITS, str(typed)], max_sessions=1) as (web_site, url, client):
        socket = await client.ws_connect(url("/ws"))
        await until(lambda: web_site.running == 1, within=WITHIN_S, what="the session")
        for junk in ("not json", "[]", "[1, 2]", '{"stdin": "x"}', '["resize", "big"]'):
            await socket.send_str(junk)
        await socket.send_str('["ping", "t1"]')
        answer = await socket.receive(timeout=WITHIN_S)
        assert answer.json() == ["pong", "t1"], "the junk did not end the session"
        session = next(iter(web_site.sessions))
        keys = f"$(touch {marker}); touch {marker}"
        await socket.send_str(json.dumps(["stdin", keys]))
        await until(typed.exists, within=WITHIN_S, what="the keys at the app")
        await until(lambda: typed.read_text() == keys, within=WITHIN_S, what="all the keys")
        assert not marker.exists()
        assert session.running
        await socket.close()


def test_a_launched_command_ends_with_its_parent_even_killed() -> None:
    """The relay and the apps are launched so: `ardoise web` killed leaves nothing running."""
    starts = (
        "import subprocess; from tui.web import launch; "
        "child = subprocess.Popen(launch.command(['/bin/sleep', '120'])); "
        "print(child.pid, flush=True); child.wait()"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", starts], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    started = time.monotonic() + WITHIN_S
    while "sleep" not in command_line(child):  # The launcher replaces itself with the command.
        assert time.monotonic() < started, "the launcher never ran its command"
        time.sleep(0.02)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + WITHIN_S
    while running(child):
        assert time.monotonic() < deadline, "the launched command outlived its parent"
        time.sleep(0.05)


def running(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


async def test_another_sites_page_cannot_open_a_session() -> None:
    async with site(WAITS, max_sessions=1, public_url="https://live.example.org") as (
        web_site,
        url,
        client,
    ):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(url("/ws"), headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
        assert not web_site.sessions
        own = url("/").rstrip("/")
        for origin in (own, "https://live.example.org"):
            socket = await client.ws_connect(url("/ws"), headers={"Origin": origin})
            await until(lambda: web_site.running == 1, within=WITHIN_S, what=origin)
            await socket.close()
            await until(lambda: not web_site.sessions, within=WITHIN_S, what="its end")
