"""A seccomp filter for the jailed child, assembled by hand as classic BPF (no libseccomp needed).

Denied with EPERM: the system calls that reach the kernel's namespace, mount, module, tracing,
keyring and bpf machinery. Sockets are allowed for AF_UNIX only; clone may not create namespaces.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

# Syscall numbers of what we deny, per architecture.
_DENIED_NAMES = [
    "ptrace", "mount", "umount2", "unshare", "setns", "bpf", "kexec_load", "kexec_file_load",
    "keyctl", "add_key", "request_key", "pivot_root", "chroot", "swapon", "swapoff", "reboot",
    "sethostname", "setdomainname", "init_module", "finit_module", "delete_module", "acct",
    "perf_event_open", "process_vm_readv", "process_vm_writev", "userfaultfd",
    "open_by_handle_at", "name_to_handle_at", "personality", "quotactl", "fanotify_init", "kcmp",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
]
_TABLES = {
    "x86_64": (0xC000003E, {
        "ptrace": 101, "mount": 165, "umount2": 166, "unshare": 272, "setns": 308, "bpf": 321,
        "kexec_load": 246, "kexec_file_load": 320, "keyctl": 250, "add_key": 248,
        "request_key": 249, "pivot_root": 155, "chroot": 161, "swapon": 167, "swapoff": 168,
        "reboot": 169, "sethostname": 170, "setdomainname": 171, "init_module": 175,
        "finit_module": 313, "delete_module": 176, "acct": 163, "perf_event_open": 298,
        "process_vm_readv": 310, "process_vm_writev": 311, "userfaultfd": 323,
        "open_by_handle_at": 304, "name_to_handle_at": 303, "personality": 135, "quotactl": 179,
        "fanotify_init": 300, "kcmp": 312, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
        "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "clone3": 435,
        "socket": 41, "socketpair": 53, "clone": 56,
    }),
    "aarch64": (0xC00000B7, {
        "ptrace": 117, "mount": 40, "umount2": 39, "unshare": 97, "setns": 268, "bpf": 280,
        "kexec_load": 104, "kexec_file_load": 294, "keyctl": 219, "add_key": 217,
        "request_key": 218, "pivot_root": 41, "chroot": 51, "swapon": 224, "swapoff": 225,
        "reboot": 142, "sethostname": 161, "setdomainname": 162, "init_module": 105,
        "finit_module": 273, "delete_module": 106, "acct": 89, "perf_event_open": 241,
        "process_vm_readv": 270, "process_vm_writev": 271, "userfaultfd": 282,
        "open_by_handle_at": 265, "name_to_handle_at": 264, "personality": 92, "quotactl": 60,
        "fanotify_init": 262, "kcmp": 272, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
        "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "clone3": 435,
        "socket": 198, "socketpair": 199, "clone": 220,
    }),
}

_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_KILL, _ALLOW, _ERRNO = 0x80000000, 0x7FFF0000, 0x00050000
_NS_FLAGS = 0x00020000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x02000000
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16
_AF_UNIX = 1


class _Program:
    """A tiny assembler: instructions with symbolic jump targets resolved at the end."""

    def __init__(self) -> None:
        self.code: list[tuple[int, object, object, int]] = []
        self.labels: dict[str, int] = {}

    def op(self, code: int, k: int, jt: object = 0, jf: object = 0) -> None:
        self.code.append((code, jt, jf, k))

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def assemble(self) -> bytes:
        out = b""
        for i, (code, jt, jf, k) in enumerate(self.code):
            out += struct.pack("=HBBI", code, self._rel(jt, i), self._rel(jf, i), k & 0xFFFFFFFF)
        return out

    def _rel(self, target: object, at: int) -> int:
        """A jump target as the offset from the instruction after `at`."""
        if isinstance(target, str):
            offset = self.labels[target] - at - 1
            if not 0 <= offset < 256:
                raise ValueError("jump out of range")
            return offset
        return int(target)  # type: ignore[call-overload]


def build_filter(machine: str | None = None) -> bytes:
    arch, table = _TABLES[machine or platform.machine()]
    p = _Program()
    p.op(_LD_W_ABS, _OFF_ARCH)
    p.op(_JEQ, arch, 1, 0)
    p.op(_RET, _KILL)
    p.op(_LD_W_ABS, _OFF_NR)
    if arch == 0xC000003E:
        p.op(_JGE, 0x40000000, "deny", 0)  # the x32 ABI: a way around the table
    for name in _DENIED_NAMES:
        p.op(_JEQ, table[name], "deny", 0)
    p.op(_JEQ, table["socket"], "socket", 0)
    p.op(_JEQ, table["socketpair"], "socket", 0)
    p.op(_JEQ, table["clone"], "clone", 0)
    # clone3 hides its flags behind a pointer; ENOSYS makes the C library fall back to clone.
    p.op(_JEQ, table["clone3"], "enosys", 0)
    p.op(_RET, _ALLOW)
    p.label("enosys")
    p.op(_RET, _ERRNO | errno.ENOSYS)
    p.label("socket")
    p.op(_LD_W_ABS, _OFF_ARG0)
    p.op(_JEQ, _AF_UNIX, "allow", 0)
    p.op(_RET, _ERRNO | errno.EAFNOSUPPORT)
    p.label("clone")
    p.op(_LD_W_ABS, _OFF_ARG0)
    p.op(_JSET, _NS_FLAGS, "deny", "allow")
    p.label("deny")
    p.op(_RET, _ERRNO | errno.EPERM)
    p.label("allow")
    p.op(_RET, _ALLOW)
    return p.assemble()


def supported() -> bool:
    return platform.machine() in _TABLES


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_libc = ctypes.CDLL(None, use_errno=True)
_built: dict[str, bytes] = {}  # machine -> its filter, assembled once (in the zygote)


def prepare() -> bytes:
    """This machine's filter, assembled on the first call only: the zygote calls it, so that
    every child it forks installs the filter without assembling it again."""
    machine = platform.machine()
    if machine not in _built:
        _built[machine] = build_filter(machine)
    return _built[machine]


def apply() -> None:
    """Install the filter for this thread and every thread and process it later creates."""
    program = prepare()
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buf))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if _libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    if _libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter refused")
