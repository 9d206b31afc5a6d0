"""The layers of DESIGN.md hold: race/ is pure, feeds/ knows no screen, situation needs no UI."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.imports import loaded_after_import, modules_in

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "race": {"feeds", "tui", "textual", "httpx", "httpx_sse", "rich"},
    "feeds": {"tui", "textual", "rich"},
}
"""Top-level modules each package must never load, directly or through another module."""

CLOCK_CALLS = {
    ("time", "time"),
    ("time", "monotonic"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("time", "perf_counter"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_load_forbidden_layers(package: str) -> None:
    loaded = loaded_after_import(modules_in(package))
    assert not loaded & FORBIDDEN[package], (
        f"{package}/ loads {sorted(loaded & FORBIDDEN[package])}"
    )


def test_race_never_reads_the_clock() -> None:
    offenders = []
    for path in (ROOT / "race").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in CLOCK_CALLS
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"race/ reads the clock at {offenders}"


def test_situation_command_does_not_import_textual_or_httpx() -> None:
    code = (
        "import sys, json\n"
        "from tui import cli\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = cli.main(['situation', '--until', '1783500000', '--json'])\n"
        "print(json.dumps([status, sorted({m.split('.')[0] for m in sys.modules})]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    status, loaded = json.loads(out.stdout)
    assert status == 0
    assert "textual" not in loaded
    assert "httpx" not in loaded
