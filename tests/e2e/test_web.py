"""`ardoise web` in a real browser (Debian's Chromium, headless, driven by Playwright): the race
on the page, a pause that is one viewer's own, five sessions on one connection to the source
feed, the page past the cap, and a session whose app dies.

One `ardoise web` for the whole test (sessions cost an app process each): the checks run in
order in one test function, each on the pages the previous ones opened.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    prepare,
    press,
    screen,
    wait_for_screen,
)
from tests.support.webserver import SourceServer, Web, ardoise_web, source_feed

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow

MAX_SESSIONS = 5
CLOCK = re.compile(r"\b(\d\d:\d\d:\d\d)\b")
KM_TO_GO = re.compile(r"\b\d+\.\d km to go\b")
PROMISED_S = 5.0
"""The issue's promise: the race on the page within 5 s of opening it, on a machine with a
free core."""
SHOWN_WITHIN_S = PROMISED_S * min(4.0, max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1)))
"""On a loaded machine (the whole suite on every core, other work), the app's start takes
longer in proportion to the load: the bound grows with it, up to four times."""
WITHIN_S = 30.0
"""A bound for what has no promise of its own (a loaded machine is slow)."""

if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed (apt-get install chromium; CI installs it)",
        allow_module_level=True,
    )
playwright = pytest.importorskip("playwright.sync_api", reason="the test extra: playwright")


def race_clock(text: str) -> str | None:
    """The race clock on the header's second row."""
    rows = text.splitlines()
    found = CLOCK.search(rows[1]) if len(rows) > 1 else None
    return found.group(1) if found else None


def shows_race(text: str) -> bool:
    """The header's km to go and a panel's title."""
    return KM_TO_GO.search(text) is not None and "TIME GAPS" in text


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[Web, SourceServer]]:
    adapter, label = source_feed(frames_per_s=1.0)
    with (
        SourceServer(adapter, label) as source,
        ardoise_web(tmp_path, source.stream_url, "--max-sessions", str(MAX_SESSIONS)) as served,
    ):
        yield served, source


def test_viewers_in_a_real_browser(web: tuple[Web, SourceServer]) -> None:
    served, source = web
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages: list[Page] = []

            def open_page() -> Page:
                # A context each: viewers share nothing in the browser either.
                page = prepare(
                    browser.new_context(viewport={"width": 1100, "height": 700}).new_page()
                )
                page.goto(served.url)
                pages.append(page)
                return page

            # The race on the page within 5 s of opening it: the header's km to go, a panel's
            # title.
            first = open_page()
            wait_for_screen(first, shows_race, within=SHOWN_WITHIN_S, what="the race on the page")

            # `p` pauses this viewer only: its clock holds, a second viewer's moves on.
            second = open_page()
            wait_for_screen(second, shows_race, within=WITHIN_S, what="the race, second viewer")
            press(first, "p")
            paused = wait_for_screen(first, lambda s: "paused" in s, within=WITHIN_S, what="p")
            held = race_clock(paused)
            moving = race_clock(screen(second))
            wait_for_screen(
                second,
                lambda s: race_clock(s) not in (None, moving),
                within=WITHIN_S,
                what="the second viewer's clock moving on",
            )
            assert race_clock(screen(first)) == held, "the paused viewer's clock moved"
            assert "paused" not in screen(second)

            # Five sessions, one connection to the source feed (the relay's). The pages are
            # opened together: their apps start side by side.
            more = [open_page() for _ in range(MAX_SESSIONS - len(pages))]
            for page in more:
                wait_for_screen(page, shows_race, within=WITHIN_S, what="the race")
            health = httpx.get(f"{served.url}/health").json()
            assert (health["sessions"], health["max_sessions"]) == (5, 5)
            assert health["relay"] == "running"
            assert source.streams == 1

            # Past the cap, a plain page says so.
            full = prepare(browser.new_page())
            answer = full.goto(served.url)
            assert answer is not None
            assert answer.status == 503
            assert full.locator("h1").inner_text() == "The viewer is full"

            # A session's app that dies: its page says so, the others go on.
            sessions = served.sessions()
            assert len(sessions) == MAX_SESSIONS
            os.kill(sessions[-1], signal.SIGKILL)
            notice = "Ardoise stopped unexpectedly (killed by SIGKILL)"
            wait_for_screen(
                pages[0],
                lambda _: any(notice in screen(page) for page in pages),
                within=WITHIN_S,
                what="the dead session's notice",
            )
            dead = [page for page in pages if notice in screen(page)]
            assert len(dead) == 1
            alive = next(page for page in pages if page is not dead[0] and page is not first)
            before = race_clock(screen(alive))
            wait_for_screen(
                alive,
                lambda s: race_clock(s) not in (None, before),
                within=WITHIN_S,
                what="another viewer still moving",
            )
        finally:
            browser.close()
    assert source.streams == 1
