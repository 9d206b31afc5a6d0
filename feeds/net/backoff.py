"""How long a network adapter waits before it tries again."""

from __future__ import annotations

import random


class Backoff:
    """Exponential backoff with "equal jitter": attempt n waits between half and all of
    `initial * 2^(n-1)`, capped at `maximum`, so clients that lost the same network do not
    all come back in the same instant, and no wait is ever longer than `maximum`."""

    def __init__(self, initial: float, maximum: float, rng: random.Random | None = None) -> None:
        self.initial = initial
        self.maximum = maximum
        self._rng = rng or random.Random()

    def delay(self, attempt: int) -> float:
        # The exponent is capped: after ~1,000 failures in a row (8 h of outage at a 30 s
        # maximum) 2^n no longer fits a float, and the wait is long at its maximum anyway.
        base = min(self.maximum, self.initial * 2.0 ** min(max(0, attempt - 1), 60))
        return float(base / 2 + self._rng.uniform(0, base / 2))
