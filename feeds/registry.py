"""Find feed adapters by name through the entry-point group `ardoise.feeds`."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

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


def adapter_class(name: str) -> type[FeedAdapter]:
    """Load the adapter class registered as `name`; imports only that adapter's module."""
    found = installed_adapters()
    if name not in found:
        raise UnknownAdapterError(name, sorted(found))
    cls = found[name].load()
    if not (isinstance(cls, type) and issubclass(cls, FeedAdapter)):
        raise TypeError(f"entry point {name!r} is not a FeedAdapter: {cls!r}")
    return cls
