"""The `ardoise` command's arguments: its subcommands and their options, checked by argparse
(a bad one stops with a usage line and exit status 2)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui import __version__

DEFAULT_SITUATION_TIMEOUT_S = 30.0
"""`ardoise situation` gives up after this long without data: a network feed retries forever, and
a script waiting on it must get an answer (a live feed sends a frame every few seconds)."""


def _seconds(text: str) -> float:
    """A number of seconds, 0 or more (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _kilometres(text: str) -> float:
    """A distance in km, 0 or more (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of km: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of km: {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
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
            "Read the configured feed as fast as possible (replays) up to --until or --until-km, "
            "then print the situation: the same facts as the screen, as text or as JSON."
        ),
    )
    # SUPPRESS: `ardoise --config F situation` keeps the --config given before the command.
    situation.add_argument(
        "--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help="configuration file"
    )
    situation.add_argument(
        "--until", type=float, metavar="UNIX_TS", help="stop at this feed time (UNIX seconds)"
    )
    situation.add_argument(
        "--until-km",
        type=_kilometres,
        metavar="KM",
        help="stop when the head of the race is at or inside KM km from the line",
    )
    situation.add_argument("--json", action="store_true", help="print JSON (see the README)")
    situation.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_SITUATION_TIMEOUT_S,
        metavar="S",
        help=(
            "give up (exit 1) when the feed sends no data for S seconds, e.g. a network feed "
            f"that cannot be reached (default {DEFAULT_SITUATION_TIMEOUT_S:g}; 0: wait forever)"
        ),
    )

    record = commands.add_parser(
        "record",
        help="record the feed to a file, every event as it is received",
        description=(
            "Read the configured feed and append every event to OUT (one JSON line each, "
            "written at once), until the feed ends, a frame is later than --until, or Ctrl-C. "
            "When OUT already holds events, the recording resumes after them: a line cut by a "
            "crash is dropped and an event already in OUT is not written again (OUT must hold "
            "the same stage). A write that fails (a full disk) stops with exit status 1; what "
            "was written before stays. The recording adapter replays the file."
        ),
    )
    record.add_argument(
        "--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help="configuration file"
    )
    record.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT.jsonl",
        required=True,
        help="file to write, or to resume when it holds events",
    )
    record.add_argument(
        "--until", type=float, metavar="UNIX_TS", help="stop after this feed time (UNIX seconds)"
    )

    serve = commands.add_parser(
        "serve",
        help="re-serve the feed over HTTP and SSE (relay, demos, tests)",
        description=(
            "Read the configured feed (at its `speed`; 0 = at once) and serve it to any number "
            "of clients, in Ardoise's own format (GET /stream, GET /feed) or, with "
            "--as racecenter, as the Race Center serves it (GET /api/{bind}, GET /live-stream, "
            "GET /tdf/{year}/stage-{n}/trace.json)."
        ),
    )
    serve.add_argument(
        "--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help="configuration file"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8765, help="port to listen on (8765; 0: any free port)"
    )
    serve.add_argument(
        "--as",
        dest="wire",
        choices=["ardoise", "racecenter"],
        default="ardoise",
        help="wire format (default: Ardoise's own)",
    )
    serve.add_argument(
        "--token-env",
        metavar="NAME",
        help="require the token held by this environment variable from every client",
    )
    serve.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="serve https with this certificate chain (PEM)",
    )
    serve.add_argument(
        "--tls-key",
        type=Path,
        metavar="FILE",
        help="the certificate's private key (PEM, not encrypted; default: in --tls-cert)",
    )
    serve.add_argument(
        "--wait-for-client",
        action="store_true",
        help=(
            "hold the feed at its first frame until a client opens the stream, so that it "
            "gets the stage from its start (a replay's clock waits too)"
        ),
    )

    from tui.web.options import add_web_command

    add_web_command(commands)

    commands.add_parser(
        "schema",
        help="print the JSON schema of Ardoise's feed format",
        description="Print the JSON schema of the documents and events `ardoise serve` sends.",
    )
    return parser
