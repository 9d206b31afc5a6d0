"""The `ardoise` command.

Imports are made per command: `ardoise situation` on a replay needs neither Textual nor httpx,
and the screen should open as soon as possible.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from feeds.tools.recorder import Recorder
    from tui.config import LoadedConfig

EXIT_CONFIG = 2
"""Exit status for a configuration that cannot be used (as argparse uses for bad arguments)."""


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    args = None
    if arguments:
        # The plain `ardoise` (the app) needs no parser: argparse is a hundredth of a second
        # of every start.
        from tui.arguments import parser

        args = parser().parse_args(arguments)
    from feeds.base import FeedError
    from tui.config import ConfigError

    try:
        if args is None:
            return _run_app(None)
        if args.command == "situation":
            return _situation(
                args.config, args.until, args.timeout, as_json=args.json, until_km=args.until_km
            )
        if args.command == "record":
            return _record(args.config, args.output, args.until)
        if args.command == "serve":
            return _serve(args)
        if args.command == "schema":
            return _schema()
        if args.command == "web":
            return _web(args)
        return _run_app(args.config)
    except ConfigError as error:
        print(f"ardoise: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except FeedError as error:
        print(f"ardoise: feed error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _load_config(path: Path | None, token_env: str | None = None) -> LoadedConfig:
    """The configuration every command reads, its warnings said on stderr (one line each)."""
    from tui.config import load_config

    loaded = load_config(path, expected_variables=[token_env] if token_env else [])
    for warning in loaded.warnings:
        print(f"ardoise: {warning}", file=sys.stderr)
    return loaded


def _situation(
    config_path: Path | None,
    until: float | None,
    timeout_s: float,
    *,
    as_json: bool,
    until_km: float | None = None,
) -> int:
    import asyncio
    import json

    from tui.assembly import build_feed, engine_settings
    from tui.headless import read_situation

    loaded = _load_config(config_path)
    settings = engine_settings(loaded)
    adapter = build_feed(loaded, speed=0.0)
    situation = asyncio.run(
        read_situation(
            adapter, settings, until, until_km=until_km, idle_timeout_s=timeout_s or None
        )
    )
    if as_json:
        print(json.dumps(situation.to_json_dict(), ensure_ascii=False))
    else:
        from tui.panels.report import text_report

        print(text_report(situation, settings.team.code), end="")
    return 0


def _record(config_path: Path | None, output: Path, until: float | None) -> int:
    import asyncio

    from feeds.tools.recorder import Recorder, RecordError, record
    from race.models import FeedEvent, FeedStatus
    from race.wording import counted
    from tui.assembly import build_feed

    loaded = _load_config(config_path)
    adapter = build_feed(loaded)
    try:
        recorder = Recorder(output)
    except RecordError as error:
        print(f"ardoise: {error}", file=sys.stderr)
        return 1
    _say_resumed(recorder)
    last_state: list[str] = []

    def report(event: FeedEvent) -> None:
        """Say on stderr how the feed is doing, once per change of state or reason."""
        if isinstance(event, FeedStatus):
            line = f"{event.state}: {event.detail}" if event.detail else event.state
            if event.retry_in_s is not None:
                line += f" (attempt {event.attempt}, next in {event.retry_in_s:.0f} s)"
            if not last_state or last_state[-1] != line:
                last_state.append(line)
                print(f"ardoise: {line}", file=sys.stderr)

    status = 0
    try:
        try:
            asyncio.run(record(adapter, output, until=until, on_event=report, recorder=recorder))
        finally:
            recorder.close()
    except RecordError as error:
        print(f"ardoise: {error}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    stats = recorder.stats
    skipped = f"; {stats.skipped} already there, not written again" if stats.skipped else ""
    print(
        f"ardoise: recorded {counted(stats.data, 'event')} ({counted(stats.frames, 'frame')})"
        f" and {counted(stats.events - stats.data, 'status', 'statuses')} to {output}{skipped}",
        file=sys.stderr,
    )
    return status


def _say_resumed(recorder: Recorder) -> None:
    """One line when the recording continues a file: what it holds, where it resumes."""
    from datetime import UTC, datetime

    from feeds.tools.recorder import describe_stage
    from race.wording import counted

    held = recorder.resumed
    if not held.events and not held.cut:
        return
    parts = [counted(held.events, "event")]
    if held.stage is not None:
        parts.append(f"of {describe_stage(held.stage)}")
    if held.last_t is not None:
        try:
            last = datetime.fromtimestamp(held.last_t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        except (OverflowError, ValueError, OSError):  # A time no calendar holds.
            last = f"feed time {held.last_t}"
        parts.append(f"up to {last}")
    cut = f"; dropped a line cut short ({held.cut} bytes)" if held.cut else ""
    print(
        f"ardoise: resuming {recorder.path}: it holds {' '.join(parts)}{cut}; "
        "events already there are not written again",
        file=sys.stderr,
    )


def _serve(args: argparse.Namespace) -> int:
    from feeds.adapters.recording import RecordingFeed
    from feeds.net.live import read_token
    from feeds.tools.server import create_app, listen, run
    from feeds.tools.sources import AdapterSource, RaceCenterRecordingSource, Source, WireFormat
    from feeds.tools.tls import Tls, TlsError

    wire: WireFormat = "racecenter" if args.wire == "racecenter" else "ardoise"
    tls: Tls | None = None
    if args.tls_key is not None and args.tls_cert is None:
        print("ardoise: --tls-key needs --tls-cert", file=sys.stderr)
        return EXIT_CONFIG
    if args.tls_cert is not None:
        tls = Tls(args.tls_cert, args.tls_key)
        try:
            tls.check()  # Before the feed is read: a bad file is a mistake to fix at once.
        except TlsError as error:
            print(f"ardoise: cannot serve https: {error}", file=sys.stderr)
            return EXIT_CONFIG
    from tui.assembly import build_feed

    loaded = _load_config(args.config, args.token_env)
    adapter = build_feed(loaded)
    label = loaded.config.feed.adapter
    hold = args.wait_for_client
    source: Source
    if wire == "racecenter" and isinstance(adapter, RecordingFeed) and adapter.format == wire:
        # A Race Center recording as a Race Center: its own records and lines, verbatim.
        options = adapter.options
        source = RaceCenterRecordingSource(
            options.path, options.speed, options.skip_to_km, hold=hold
        )
    else:
        named = adapter.options.path.name if isinstance(adapter, RecordingFeed) else label
        source = AdapterSource(adapter, wire, named, hold=hold)
    token = read_token(args.token_env)
    app = create_app(source, wire, token=token)
    host = args.host
    sock = listen(host, args.port)
    bound = sock.getsockname()
    scheme = "https" if tls else "http"
    where = f"{scheme}://{f'[{host}]' if ':' in host else host}:{bound[1]}"
    paths = "/live-stream, /api/{bind}" if wire == "racecenter" else "/stream, /feed"
    waits = "; waiting for a client to start" if hold else ""
    run(
        app,
        sock,
        on_ready=lambda: print(
            f"ardoise: serving {source.label} ({label}) as {wire} on {where} ({paths})"
            f"{' with a token' if token else ''}{waits}; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        ),
        tls=tls,
    )
    return 0


def _web(args: argparse.Namespace) -> int:
    from tui.assembly import build_feed
    from tui.web.options import WebOptionError, web_options

    try:
        options = web_options(args)
    except WebOptionError as error:
        print(f"ardoise: {error}", file=sys.stderr)
        return EXIT_CONFIG
    loaded = _load_config(options.config)
    build_feed(loaded)  # A configuration that cannot be used stops here, before any server.
    from tui.web.command import serve_web

    return serve_web(options, loaded.config.feed.adapter)


def _schema() -> int:
    import json

    from feeds.format.wire import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False))
    return 0


def _run_app(config_path: Path | None) -> int:
    from tui import collection

    collection.off_while_starting()
    from tui.assembly import build_feed, engine_settings

    loaded = _load_config(config_path)
    settings = engine_settings(loaded)
    adapter = build_feed(loaded)
    from tui.app import ArdoiseApp
    from tui.marks import configured_store
    from tui.startpoint import StartPoints

    marks = configured_store(
        loaded.config.riders.marks_folder, loaded.base_dir("riders.marks_folder")
    )
    app = ArdoiseApp(
        adapter,
        settings,
        feed_label=loaded.config.feed.adapter,
        theme=loaded.config.display.theme,
        keymap=loaded.config.keymap,
        marks=marks,
        start_points=(start_points := StartPoints.for_launch(adapter, settings, marks.path)),
    )
    app.run()
    if start_points is not None:
        start_points.wait()  # A start point being written when the user quit: finished.
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
