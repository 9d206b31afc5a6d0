"""What importing some of Ardoise's modules loads, seen from a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.stages import ROOT


def modules_in(folder: str) -> list[str]:
    """The dotted names of every module below `folder` (e.g. "race", "tui/panels")."""
    return [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]


def modules_after_import(modules: list[str]) -> set[str]:
    """The modules in `sys.modules` once `modules` are imported, in a new process."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def loaded_after_import(modules: list[str]) -> set[str]:
    """The top-level packages in `sys.modules` once `modules` are imported, in a new process."""
    return {name.split(".")[0] for name in modules_after_import(modules)}
