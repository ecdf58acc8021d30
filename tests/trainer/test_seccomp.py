"""The seccomp filter, applied in a forked process of the test run itself."""
from __future__ import annotations

import ctypes
import errno
import os
import socket
import threading

import pytest

from tests.trainer.forked import exit_code_of
from trainer.sandbox import seccomp

pytestmark = pytest.mark.skipif(not seccomp.supported(), reason="no syscall table for this CPU")


def in_filtered_child(probe) -> int:
    """Run `probe` in a child under the filter; its return value is the child's exit code."""
    return exit_code_of(seccomp.apply, probe)


def test_filter_assembles_for_each_known_architecture():
    for machine in ("x86_64", "aarch64"):
        program = seccomp.build_filter(machine)
        assert len(program) % 8 == 0 and len(program) // 8 > 40


def test_a_child_installs_the_filter_its_parent_assembled(monkeypatch):
    """The zygote assembles the filter once; a child forked after that only installs it, and is
    filtered all the same."""
    seccomp.prepare()

    def assemble_again(machine: str | None = None) -> bytes:
        raise AssertionError("assembled in the child")

    monkeypatch.setattr(seccomp, "build_filter", assemble_again)

    def probe() -> int:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as exc:
            return 0 if exc.errno == errno.EAFNOSUPPORT else 3
        return 2
    assert in_filtered_child(probe) == 0


def test_inet_sockets_are_refused_but_unix_sockets_work():
    def probe() -> int:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            return 1
        except OSError as exc:
            if exc.errno != errno.EAFNOSUPPORT:
                return 2
        a, b = socket.socketpair(socket.AF_UNIX)
        a.sendall(b"x")
        return 0 if b.recv(1) == b"x" else 3
    assert in_filtered_child(probe) == 0


@pytest.mark.parametrize("call", ["unshare", "mount", "ptrace", "setns"])
def test_namespace_mount_and_trace_calls_are_refused(call):
    def probe() -> int:
        libc = ctypes.CDLL(None, use_errno=True)
        args = {"unshare": (0x40000000,), "mount": (b"none", b"/tmp", b"tmpfs", 0, None),
                "ptrace": (0, 0, 0, 0), "setns": (0, 0)}[call]
        result = getattr(libc, call)(*args)
        return 0 if result == -1 and ctypes.get_errno() == errno.EPERM else 1
    assert in_filtered_child(probe) == 0


def test_threads_and_processes_still_start():
    def probe() -> int:
        done = []
        t = threading.Thread(target=lambda: done.append(1))
        t.start()
        t.join()
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        _, status = os.waitpid(pid, 0)
        return 0 if done and os.waitstatus_to_exitcode(status) == 7 else 1
    assert in_filtered_child(probe) == 0
