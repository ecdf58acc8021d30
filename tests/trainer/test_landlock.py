"""Landlock rules, applied in a forked process of the test run: even root is held to them."""
from __future__ import annotations

import errno
import os
import tempfile

import pytest

from tests.trainer.forked import exit_code_of
from trainer.sandbox import jail, landlock

pytestmark = pytest.mark.skipif(landlock.abi_version() == 0, reason="no Landlock in this kernel")


def in_restricted_child(writable: str, probe) -> int:
    def restrict() -> None:
        jail.no_new_privs()
        landlock.restrict(writable=(writable,), devices=("/dev/null",))
    return exit_code_of(restrict, probe)


def test_writes_outside_the_allowed_trees_are_refused_even_to_root():
    allowed, other = tempfile.mkdtemp(), tempfile.mkdtemp()

    def probe() -> int:
        with open(os.path.join(allowed, "ok.txt"), "w") as f:
            f.write("fine")
        with open("/dev/null", "w") as f:
            f.write("fine")
        try:
            open(os.path.join(other, "no.txt"), "w").close()
            return 1
        except PermissionError as exc:
            if exc.errno != errno.EACCES:
                return 2
        with open(os.path.join(allowed, "ok.txt")) as f:  # reading stays allowed
            return 0 if f.read() == "fine" else 3
    assert in_restricted_child(allowed, probe) == 0
    assert not os.path.exists(os.path.join(other, "no.txt"))


def test_signals_cannot_leave_the_domain():
    if landlock.abi_version() < 6:
        pytest.skip("signal scoping needs Landlock ABI 6")
    parent = os.getpid()

    def probe() -> int:
        try:
            os.kill(parent, 0)
            return 1
        except PermissionError:
            return 0
    assert in_restricted_child(tempfile.mkdtemp(), probe) == 0
