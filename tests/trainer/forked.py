"""Run a probe in a forked child after a one-way restriction, so the test process stays free."""
from __future__ import annotations

import os
from collections.abc import Callable


def exit_code_of(restrict: Callable[[], object], probe: Callable[[], int]) -> int:
    """Fork; the child applies `restrict`, runs `probe` and exits with its result (99 on error)."""
    pid = os.fork()
    if pid == 0:
        try:
            restrict()
            os._exit(probe())
        except BaseException:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
