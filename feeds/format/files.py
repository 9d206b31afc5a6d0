"""Recording files, gzip-compressed or not."""

from __future__ import annotations

import gzip
from io import BufferedIOBase
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """Whether `path` holds a gzip stream (from its first bytes); `OSError` if unreadable."""
    with path.open("rb") as raw:
        return raw.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> BufferedIOBase:
    """`path` opened for reading bytes, through gzip when it is compressed."""
    return gzip.GzipFile(path, "rb") if is_gzip(path) else path.open("rb")
