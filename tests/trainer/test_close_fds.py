"""The child's descriptor sweep: everything closed but what it keeps, gaps included."""
from __future__ import annotations

import os

from tests.trainer.forked import exit_code_of
from trainer.sandbox import jail


def test_only_the_kept_descriptors_stay_open():
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(6)]
    keep = {0, 1, 2, spare[1], spare[4]}

    def probe() -> int:
        still = set()
        for fd in range(max(spare) + 64):
            try:
                os.fstat(fd)
                still.add(fd)
            except OSError:
                pass
        return 0 if still == keep else 1
    try:
        assert exit_code_of(lambda: jail.close_fds_except(keep), probe) == 0
    finally:
        for fd in spare:
            os.close(fd)
