"""Two workers on one host never share sandbox uids (RLIMIT_NPROC counts per uid)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer import pool


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox uids are a root worker's")
def test_each_worker_on_a_host_claims_a_range_of_its_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pool.UidRange, "LOCKS", tmp_path / "locks")
    first = pool.UidRange.claim(70000)
    second = pool.UidRange.claim(70000)
    assert second.base == first.base + pool.UIDS_PER_WORKER
    # Another process (another worker) sees both taken; once one is gone its range is free.
    code = ("import sys; from pathlib import Path; from trainer import pool; "
            f"pool.UidRange.LOCKS = Path({str(tmp_path / 'locks')!r}); "
            "print(pool.UidRange.claim(70000).base)")
    taken = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=Path(__file__).resolve().parents[2])
    assert int(taken.stdout) == first.base + 2 * pool.UIDS_PER_WORKER
    os.close(first.handle)
    again = pool.UidRange.claim(70000)
    assert again.base == first.base
