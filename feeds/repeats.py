"""Recognising an update received before.

The Race Center's live stream sends most telemetry updates twice, usually within milliseconds,
sometimes again up to ~20 s later (the Stage 16 recording: 3,064 updates, 1,628 different), and
a relay resends what a reconnecting client may already have. A repeated update is the same
text: it is delivered once.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

REMEMBERED = 512
"""Updates remembered (several minutes of a Race Center stream; repeats come within seconds)."""


class Repeats:
    """The digests of the last `remember` updates."""

    def __init__(self, remember: int = REMEMBERED) -> None:
        self.remember = remember
        self.count = 0
        """Repeats recognised so far."""
        self._recent: OrderedDict[bytes, None] = OrderedDict()

    def seen(self, text: str | bytes) -> bool:
        """True if `text` came before (counted); otherwise it is remembered."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if digest in self._recent:
            self.count += 1
            return True
        self._recent[digest] = None
        if len(self._recent) > self.remember:
            self._recent.popitem(last=False)
        return False
