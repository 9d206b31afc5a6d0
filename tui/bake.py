"""The embedded default's start point, built with the package: the very first launch after an
install opens on the race as fast as the next ones (`tui.startpoint`).

The wheel's build hook (`hatch_build.py`) runs `python -m tui.bake FOLDER` in the source tree:
the embedded default configuration alone (no user file, no `ARDOISE_` variable) is read, its
replay is played to its start point as the app plays it, and the point is written into FOLDER
for the hook to put in the wheel (`tui/startpoints/`). A launch whose settings, versions or
code differ from the build's does not use it (the key says so) and plays the skip as before.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from feeds.base import FeedAdapter, Resumable
from feeds.registry import declared_adapters, installed_adapters
from race.history import History
from race.models import FeedStatus

ROOT = Path(__file__).resolve().parent.parent


async def play_to_start_point(adapter: FeedAdapter, history: History) -> bytes | None:
    """Apply the replay's events to `history` up to its start point, as the app does (the
    status that ends the skip is not applied); the feed's state there, None when the replay
    has none."""
    try:
        async for event in adapter.events():
            if isinstance(event, FeedStatus) and isinstance(adapter, Resumable):
                point = adapter.start_point()
                if point is not None:
                    return point
            history.apply(event)
        return None
    finally:
        await adapter.aclose()


def bake(folder: Path) -> Path | None:
    """Build the embedded default's start point into `folder`; its file, or None when the
    default has none (no skip)."""
    from race.engine import Race
    from tui.assembly import build_feed, engine_settings
    from tui.config import default_config_path, load_config
    from tui.startpoint import StartPoints

    # The default alone: given as the configuration file, no user file is read.
    loaded = load_config(default_config_path())
    settings = engine_settings(loaded)
    pyproject = ROOT / "pyproject.toml"
    # Building the package, it is not installed yet: its adapters are the ones it declares.
    adapters = declared_adapters(pyproject) if pyproject.exists() else installed_adapters()
    adapter = build_feed(loaded, adapters=adapters)
    # No marks saved: a first launch's.
    points = StartPoints.for_launch(adapter, settings, None, folder, baked=folder)
    if points is None:
        return None
    history = History(Race(settings))
    point = asyncio.run(play_to_start_point(adapter, history))
    return points.bake(history, point) if point is not None else None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tui.bake FOLDER", file=sys.stderr)
        return 2
    for name in [name for name in os.environ if name.startswith("ARDOISE_")]:
        del os.environ[name]  # The embedded default only.
    path = bake(Path(argv[0]))
    print(path if path is not None else "the default configuration has no start point")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
