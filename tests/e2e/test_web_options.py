"""`ardoise web`'s options: a bad one is one line naming it, exit status 2, before anything
starts (no relay, no server)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tui.cli import main


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--max-sessions", "0"], "--max-sessions: must be from 1 to 10000 (got 0)"),
        (["--max-sessions", "many"], "--max-sessions: not a whole number: 'many'"),
        (["--port", "70000"], "--port: must be from 0 to 65535 (got 70000)"),
        (["--host", " "], "--host: an address is needed, e.g. 127.0.0.1"),
        (["--public-url", "ftp://example.org"], "--public-url: must be http(s)://host[/path]"),
        (["--public-url", "https://example.org/?x=1"], "--public-url: must have no ?query"),
        (["--public-url", "https://example.org:port"], "--public-url: not a URL: "),
    ],
)
def test_a_bad_option_is_one_line_naming_it(
    options: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["web", *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ardoise: {said}")
    assert err.count("\n") == 1


def test_a_port_in_use_is_said_before_the_relay_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["web", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ardoise: --host/--port: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_a_configuration_that_cannot_be_used_stops_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[feed]\nadapter = "nowhere"\n')
    assert main(["web", "--config", str(config)]) == 2
    assert capsys.readouterr().err.startswith("ardoise: configuration error: ")
