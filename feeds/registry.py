"""Find feed adapters by name through the entry-point group `ardoise.feeds`."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from feeds.base import FeedAdapter

GROUP = "ardoise.feeds"


class UnknownAdapterError(LookupError):
    def __init__(self, name: str, installed: list[str]) -> None:
        self.name = name
        self.installed = installed
        listed = ", ".join(installed) if installed else "none"
        super().__init__(f"unknown feed adapter {name!r} (installed: {listed})")


def installed_adapters() -> dict[str, EntryPoint]:
    """Entry points of the installed adapters, by name."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def check_installed(name: str, found: dict[str, EntryPoint] | None = None) -> EntryPoint:
    """The entry point of the adapter registered as `name`, without importing it (the
    network adapters' modules import httpx: a tenth of a second at every start)."""
    found = installed_adapters() if found is None else found
    if name not in found:
        raise UnknownAdapterError(name, sorted(found))
    return found[name]


def adapter_class(name: str, found: dict[str, EntryPoint] | None = None) -> type[FeedAdapter]:
    """Load the adapter class registered as `name`; imports only that adapter's module."""
    cls = check_installed(name, found).load()
    if not (isinstance(cls, type) and issubclass(cls, FeedAdapter)):
        raise TypeError(f"entry point {name!r} is not a FeedAdapter: {cls!r}")
    return cls


def declared_adapters(pyproject: Path) -> dict[str, EntryPoint]:
    """The adapters a source tree's `pyproject.toml` declares, by name: its entry points before
    it is installed (building the package)."""
    with pyproject.open("rb") as file:
        project = tomllib.load(file).get("project", {})
    declared = project.get("entry-points", {}).get(GROUP, {})
    return {name: EntryPoint(name, value, GROUP) for name, value in declared.items()}
