"""Moved to `tui.panels`: kept only for `tests/race/test_leadout.py`'s import (delete with it)."""

from tui.panels.leadout import leadout_lines

__all__ = ["leadout_lines"]
