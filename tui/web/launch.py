"""`python -m tui.web.launch PARENT_PID COMMAND...`: run COMMAND so that it ends when
`ardoise web` ends, even killed (the OOM killer), instead of reading the feed for nobody.

Linux's `prctl(PR_SET_PDEATHSIG)` is set here, in a process of its own with a single thread,
then COMMAND replaces it (the setting holds across `exec`); elsewhere COMMAND runs as it is,
and `ardoise web` stops it when it ends normally.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""Linux's `prctl` option: the signal a process gets when its parent dies."""


def main(argv: list[str]) -> None:
    parent, command = int(argv[0]), argv[1:]
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):  # A C library without `prctl`.
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # The parent died before the setting: nobody to serve.
            sys.exit(1)
    os.execv(command[0], command)


def command(argv: list[str]) -> list[str]:
    """`argv`, run through this launcher by the current process."""
    return [sys.executable, "-m", "tui.web.launch", str(os.getpid()), *argv]


if __name__ == "__main__":
    main(sys.argv[1:])
