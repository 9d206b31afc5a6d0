"""Debounce for alerts and hysteresis for states: a noisy feed must not make the screen flicker."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from race.situation import Alert, AlertLevel

S = TypeVar("S", bound=Hashable)


class Hysteresis(Generic[S]):
    """Per-key state that changes only after the new raw value is seen `frames` times in a row."""

    def __init__(self, frames: int = 2) -> None:
        self.frames = frames
        self._state: dict[Hashable, S] = {}
        self._pending: dict[Hashable, tuple[S, int]] = {}

    def get(self, key: Hashable) -> S | None:
        return self._state.get(key)

    def update(self, key: Hashable, raw: S) -> tuple[S, S | None]:
        """Feed one observation. Returns (the current state, the previous state if it just changed).

        The first observation of a key is taken at once (there is nothing to flicker from).
        """
        current = self._state.get(key)
        if current is None:
            self._state[key] = raw
            self._pending.pop(key, None)
            return raw, None
        if raw == current:
            self._pending.pop(key, None)
            return current, None
        seen, count = self._pending.get(key, (raw, 0))
        count = count + 1 if seen == raw else 1
        if count >= self.frames:
            self._state[key] = raw
            self._pending.pop(key, None)
            return raw, current
        self._pending[key] = (raw, count)
        return current, None

    def forget(self, key: Hashable) -> None:
        self._state.pop(key, None)
        self._pending.pop(key, None)


class Debounce:
    """A condition fires once it has held for `frames` updates, and re-arms only after it has
    been false for `frames` updates."""

    def __init__(self, frames: int = 2) -> None:
        self._hysteresis: Hysteresis[bool] = Hysteresis(frames)

    def update(self, key: Hashable, condition: bool) -> bool:
        """True when the condition has just become established."""
        if self._hysteresis.get(key) is None and condition:
            # A condition true from its first sighting still needs confirming.
            self._hysteresis.update(key, False)
        state, previous = self._hysteresis.update(key, condition)
        return state and previous is False


class AlertLog:
    """Every alert raised so far, in order; each update reports how many are new."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []
        self._seen_keys: set[str] = set()

    def raise_(
        self, t: float, kind: str, text: str, level: AlertLevel = "info", key: str = ""
    ) -> None:
        self.alerts.append(Alert(t=t, kind=kind, text=text, level=level, key=key or kind))

    def raise_once(
        self, t: float, kind: str, text: str, level: AlertLevel = "info", *, key: str
    ) -> bool:
        """Raise unless an alert with this key was raised before; True if raised."""
        if key in self._seen_keys:
            return False
        self._seen_keys.add(key)
        self.raise_(t, kind, text, level, key)
        return True
