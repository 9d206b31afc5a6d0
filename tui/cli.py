"""The `ardoise` command.

Imports are made per command: `ardoise situation` on a replay needs neither Textual nor httpx,
and the screen should open as soon as possible.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui import __version__

EXIT_CONFIG = 2
"""Exit status for a configuration that cannot be used (as argparse uses for bad arguments)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ardoise",
        description=(
            "Follow a live road-cycling stage: time gaps, lead-out trains and the time limit. "
            "Without a command, opens the full-screen companion on the configured feed."
        ),
    )
    parser.add_argument("--version", action="version", version=f"ardoise {__version__}")
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="configuration file (over the embedded default)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    situation = commands.add_parser(
        "situation",
        help="read the feed headless and print the last situation",
        description=(
            "Read the configured feed as fast as possible (replays) up to --until, then print "
            "the situation: the same facts as the screen, as text or as JSON."
        ),
    )
    # SUPPRESS: `ardoise --config F situation` keeps the --config given before the command.
    situation.add_argument(
        "--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help="configuration file"
    )
    situation.add_argument(
        "--until", type=float, metavar="UNIX_TS", help="stop at this feed time (UNIX seconds)"
    )
    situation.add_argument("--json", action="store_true", help="print JSON (see the README)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from feeds.base import FeedError
    from tui.config import ConfigError

    try:
        if args.command == "situation":
            return _situation(args.config, args.until, as_json=args.json)
        return _run_app(args.config)
    except ConfigError as error:
        print(f"ardoise: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except FeedError as error:
        print(f"ardoise: feed error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _situation(config_path: Path | None, until: float | None, *, as_json: bool) -> int:
    import asyncio
    import json

    from tui.assembly import build_feed, engine_settings
    from tui.config import load_config
    from tui.headless import read_situation

    loaded = load_config(config_path)
    settings = engine_settings(loaded)
    adapter = build_feed(loaded, speed=0.0)
    situation = asyncio.run(read_situation(adapter, settings, until))
    if as_json:
        print(json.dumps(situation.to_json_dict(), ensure_ascii=False))
    else:
        from tui.lines import text_report

        print(text_report(situation, settings.my_team), end="")
    return 0


def _run_app(config_path: Path | None) -> int:
    from tui.assembly import build_feed, engine_settings
    from tui.config import load_config

    loaded = load_config(config_path)
    settings = engine_settings(loaded)
    adapter = build_feed(loaded)
    from tui.app import ArdoiseApp

    app = ArdoiseApp(
        adapter,
        settings,
        feed_label=loaded.config.feed.adapter,
        theme=loaded.config.display.theme,
        keymap=loaded.config.keymap,
    )
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
