"""Landlock, where the kernel has it: the child may read and execute its root, write only its
work area, /tmp, /dev/shm and the harmless devices, and make or accept no TCP connection.

It stacks on the jail: the pivot_root filesystem already shows the child nothing of the host,
and the seccomp filter already refuses non-unix sockets; this is the kernel's second opinion.
"""
from __future__ import annotations

import ctypes
import os
import platform
import struct

_SYSCALLS = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1

READ_ONLY = EXECUTE | READ_FILE | READ_DIR
DEVICES = READ_FILE | WRITE_FILE

_libc = ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI, 0 where there is none."""
    calls = _SYSCALLS.get(platform.machine())
    if calls is None:
        return 0
    version = _libc.syscall(calls[0], None, 0, _CREATE_RULESET_VERSION)
    return max(0, int(version))


def _fs_rights(abi: int) -> int:
    return max(rights for since, rights in _FS_RIGHTS_BY_ABI.items() if since <= abi)


def restrict(writable: tuple[str, ...], devices: tuple[str, ...]) -> int:
    """Apply the rules to this process and its future threads and children; returns the ABI
    used (0: not available, nothing done). Needs no_new_privs, which the caller sets."""
    abi = abi_version()
    if abi == 0:
        return 0
    create, add_rule, restrict_self = _SYSCALLS[platform.machine()]
    everything = _fs_rights(abi)
    if abi >= 6:
        attr = struct.pack("=QQQ", everything, _NET_BIND_TCP | _NET_CONNECT_TCP,
                           _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL)
    elif abi >= 4:
        attr = struct.pack("=QQ", everything, _NET_BIND_TCP | _NET_CONNECT_TCP)
    else:
        attr = struct.pack("=Q", everything)
    ruleset = _libc.syscall(create, ctypes.c_char_p(attr), len(attr), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        rules = [("/", READ_ONLY)] + [(p, everything) for p in writable] + \
                [(p, DEVICES) for p in devices]
        for path, rights in rules:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                beneath = struct.pack("=Qi", rights & everything, fd)
                if _libc.syscall(add_rule, ruleset, _RULE_PATH_BENEATH,
                                 ctypes.c_char_p(beneath), 0) != 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
            finally:
                os.close(fd)
        if _libc.syscall(restrict_self, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return abi
