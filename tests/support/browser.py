"""A real browser for the `ardoise web` tests and benchmark: Debian's Chromium, headless,
driven by Playwright (its own browsers are never downloaded: the system's is used).

The page draws the app on a canvas; what it shows is read from the terminal emulator in the
page (xterm.js) through its public buffer API. The page's script keeps its terminal to itself:
`CAPTURE_TERMINAL` is run before it and keeps each terminal made, as `window.ardoiseTerminals`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
"""Debian's Chromium (`apt-get install chromium`); None when absent (the tests then skip)."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--mute-audio"]
"""No sandbox: CI runs as root in a container, where Chromium's sandbox cannot start."""

CAPTURE_TERMINAL = """
window.ardoiseTerminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && value.buffer.active) window.ardoiseTerminals.push(value);
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""
READ_SCREEN = """
() => {
  const term = window.ardoiseTerminals[0];
  if (!term) return "";
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}
"""


def prepare(page: Page) -> Page:
    """`page`, made to keep its terminal readable (before it opens anything)."""
    page.add_init_script(CAPTURE_TERMINAL)
    return page


def screen(page: Page) -> str:
    """The text the page's terminal shows, row by row ("" before it has one)."""
    text: str = page.evaluate(READ_SCREEN)
    return text


def press(page: Page, key: str) -> None:
    """Type `key` into the page's terminal (its input is a hidden text area, focused first)."""
    page.locator(".xterm-helper-textarea").focus()
    page.keyboard.press(key)


def wait_for_screen(
    page: Page, condition: Callable[[str], bool], *, within: float, what: str
) -> str:
    """The first screen that meets `condition`, read every 0.1 s for up to `within` s."""
    deadline = time.monotonic() + within
    last = ""
    while True:
        last = screen(page)
        if condition(last):
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:g} s: {what}; the page shows:\n{last}")
        page.wait_for_timeout(100)
