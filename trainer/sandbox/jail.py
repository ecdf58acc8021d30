"""The jail around one child: namespaces, a minimal read-only root, rlimits and a dropped uid.

`fork_into_pid_namespace` runs in the zygote (root, single-threaded); the rest runs in the child
that becomes pid 1 of the new pid namespace, before TensorFlow starts any thread.
"""
from __future__ import annotations

import ctypes
import os
import resource
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUSER = 0x20000000, 0x40000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 0x400, 0x800, 0x200000
MNT_DETACH = 0x2
FD_CEILING = 2**31 - 1  # above any descriptor number (close_range closes up to it in one call)
# statvfs flags of a mount that a bind in a user namespace must keep (the kernel locks them).
LOCKED_FLAGS = {0x2: MS_NOSUID, 0x4: MS_NODEV, 0x8: MS_NOEXEC, 0x400: MS_NOATIME,
                0x800: MS_NODIRATIME, 0x1000: MS_RELATIME}
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 4, 24, 47, 4
CAPABILITY_VERSION_3 = 0x20080522
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

NEW_ROOT = "/mnt" if os.path.isdir("/mnt") else "/tmp"
SANDBOX_DIR = "/sandbox"
WORK_DIR = SANDBOX_DIR + "/work"
DEVICES = ("null", "zero", "full", "random", "urandom")
# Host trees the child may read: the system's libraries and nothing of the host's data.
SYSTEM_TREES = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives")
ETC_FILES = ("ld.so.cache", "localtime", "ssl/openssl.cnf")
STASH_DIR = "/tmp/tfpg-stash"  # noqa: S108 - mounted over in the zygote's own mount namespace
# What a container runtime hides of /proc: kernel symbols and memory, keys, the host's timers,
# scheduler, load, kernel config and boot command line. Files read as empty, folders as empty.
MASKED_PROC_FILES = ("kallsyms", "kcore", "keys", "key-users", "timer_list", "sched_debug",
                     "config.gz", "cmdline", "latency_stats", "timer_stats", "sysrq-trigger",
                     "kmsg", "modules", "loadavg", "vmallocinfo", "slabinfo", "iomem", "ioports",
                     "zoneinfo", "buddyinfo", "pagetypeinfo", "mountstats")
MASKED_PROC_DIRS = ("acpi", "asound", "scsi", "driver")
READ_ONLY_PROC_DIRS = ("sys", "bus", "fs", "irq")  # read, as a program may, never written

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    _check(
        _libc.mount(
            source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


@dataclass(frozen=True)
class JailSpec:
    uid: int
    gid: int
    readable: tuple[str, ...]  # extra host trees bound read-only (the interpreter, site-packages)
    cpu_seconds: int
    written_bytes: int
    open_files: int
    max_tasks: int
    memory_fallback_bytes: int  # RLIMIT_DATA, only where no memory cgroup holds the child
    processes: int = 0  # RLIMIT_NPROC when not max_tasks: the rootless jail shares its uid
    devices: tuple[str, ...] = ()  # accelerator nodes (absolute /dev paths) bound in as they are


def own_pid_namespace() -> int:
    """A descriptor of the caller's pid namespace, to return to after each fork into a new one."""
    return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)


def fork_into_pid_namespace(own_pid_ns: int) -> int:
    """Fork a child that is pid 1 of a new pid namespace; the caller stays as it was.

    unshare(CLONE_NEWPID) only changes where the caller's next children go: setns back to the
    caller's own namespace right after the fork undoes it.
    """
    _check(_libc.unshare(CLONE_NEWPID), "unshare pid namespace")
    pid = -1
    try:
        pid = os.fork()
    finally:
        if pid != 0:
            _check(_libc.setns(own_pid_ns, CLONE_NEWPID), "setns back to the own pid namespace")
    return pid


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_user_namespace() -> None:
    """A new user namespace in which the caller keeps its uid and gid and holds every capability,
    so that it may make the other namespaces and mounts, over nothing but what it owns."""
    uid, gid = os.geteuid(), os.getegid()
    # A process that switched uids is not dumpable, so its /proc files stay root's and it could
    # not write its own maps.
    _check(_libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "PR_SET_DUMPABLE")
    _check(_libc.unshare(CLONE_NEWUSER), "unshare user namespace")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
    _write("/proc/self/gid_map", f"{gid} {gid} 1\n")


def fork_as_pid_one() -> int:
    """Fork a child that is pid 1 of a new pid namespace (the caller's own stays as it was)."""
    _check(_libc.unshare(CLONE_NEWPID), "unshare pid namespace")
    return os.fork()


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Give up every capability for good: the rootless jail's drop of privileges, since its user
    namespace maps one uid only."""
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop capability {cap}")
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(_CapHeader(CAPABILITY_VERSION_3, 0)), data), "capset")


def probe_user_namespace() -> None:
    """Raise unless this process may build the rootless jail: a user namespace, the others in
    it, and a mount of its own."""
    enter_user_namespace()
    enter_namespaces()
    _check(_libc.unshare(CLONE_NEWNS), "unshare mount namespace")
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=16k")  # noqa: S108


def enter_namespaces(net_ns: int = -1) -> None:
    """New ipc and uts namespaces of the calling child, and a network namespace of its own: a
    new one, or `net_ns`, one from `new_network_namespace` that only its slot's runs use, one
    after the other."""
    if net_ns < 0:
        _check(_libc.unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        return
    _check(_libc.setns(net_ns, CLONE_NEWNET), "setns to the slot's network namespace")
    _check(_libc.unshare(CLONE_NEWIPC | CLONE_NEWUTS), "unshare")


def new_network_namespace(own_net_ns: int) -> int:
    """A descriptor of a new network namespace, made without leaving the caller's own (whose
    descriptor is `own_net_ns`); needs root, and a single-threaded caller.

    It holds a loopback interface, down, and nothing else, and it is owned by the host's user
    namespace, where a sandbox uid holds no capability: a run cannot change it. What a run
    makes in it (sockets, abstract ones included) dies with the run's processes, so a slot's
    runs may use one after the other, sparing each child a namespace made and destroyed (the
    kernel destroys a network namespace in a worker thread, after the child is gone).
    """
    _check(_libc.unshare(CLONE_NEWNET), "unshare network namespace")
    try:
        return os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        _check(_libc.setns(own_net_ns, CLONE_NEWNET), "setns back to the own network namespace")


def _open_sources(paths: tuple[str, ...], stash: dict[str, str]
                  ) -> list[tuple[str, str, int | str]]:
    """(path, kind, handle) for each existing path, taken before anything is mounted over it;
    a path found in `stash` is opened where the stash holds it.

    Directories and files are held by O_PATH descriptors and bound from /proc/self/fd, so a
    checkout anywhere (under /tmp or under the new root's own mount point) still binds.
    """
    found: list[tuple[str, str, int | str]] = []
    for path in paths:
        where = stash.get(path, path)
        if os.path.islink(where):
            found.append((path, "link", os.readlink(where)))
        elif os.path.exists(where):
            kind = "dir" if os.path.isdir(where) else "file"
            found.append((path, kind, os.open(where, os.O_PATH | os.O_CLOEXEC)))
    return found


def walkable(path: str) -> bool:
    """Whether any user may reach `path`: every folder above it lets others through."""
    parent = Path(path).resolve().parent
    return all(os.stat(folder).st_mode & 0o001 for folder in (parent, *parent.parents))


def stash_unwalkable(paths: tuple[str, ...]) -> dict[str, str]:
    """For a root zygote whose children jail themselves without root: make the trees they could
    not reach (a Python under a 0700 home) reachable in the zygote's own mount namespace, bound
    under STASH_DIR; the children bind them from there to their usual places. Call it while
    single-threaded; returns path -> where it is stashed."""
    hidden = [p for p in paths if os.path.exists(p) and not walkable(p)]
    if not hidden:
        return {}
    _check(_libc.unshare(CLONE_NEWNS), "unshare mount namespace")
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    os.makedirs(STASH_DIR, mode=0o755, exist_ok=True)
    mount("tmpfs", STASH_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    stash = {}
    for index, path in enumerate(hidden):
        target = os.path.join(STASH_DIR, str(index))
        if os.path.isdir(path):
            os.mkdir(target)
        else:
            Path(target).touch()
        mount(path, target, None, MS_BIND | MS_REC)
        stash[path] = target
    return stash


def _make_dirs(path: str, made: set[str]) -> None:
    """`mkdir -p` in the fresh root: `made` holds the folders known to exist, so each folder
    costs one system call (a folder may exist already inside a tree bound earlier)."""
    if path in made:
        return
    _make_dirs(os.path.dirname(path), made)
    try:
        os.mkdir(path)
    except OSError:
        if not os.path.isdir(path):
            raise
    made.add(path)


def _make_file(path: str, made: set[str], data: bytes = b"") -> None:
    _make_dirs(os.path.dirname(path), made)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    except OSError:
        if not os.path.isfile(path):  # a mount point inside a read-only tree bound earlier
            raise
        return
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _bind_readonly(kind: str, handle: int | str, target: str, made: set[str]) -> None:
    if kind == "link":
        if not os.path.lexists(target):
            _make_dirs(os.path.dirname(target), made)
            os.symlink(str(handle), target)
        return
    if kind == "dir":
        _make_dirs(target, made)
    else:
        _make_file(target, made)
    mount(f"/proc/self/fd/{handle}", target, None, MS_BIND | MS_REC)
    mount("none", target, None,
          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | _locked_flags(target))
    os.close(int(handle))


def _locked_flags(path: str) -> int:
    """The flags of the mount under `path` that a remount must repeat (in a user namespace the
    kernel refuses a remount that would clear them)."""
    found = os.statvfs(path).f_flag
    return sum(ms for st, ms in LOCKED_FLAGS.items() if found & st)


@dataclass(frozen=True)
class RootFiles:
    """What every child's root holds alike, read once by the zygote: the host files copied into
    /etc, and the entries of /proc to mask (the kernel's, the same in every child's /proc)."""

    etc: tuple[tuple[str, bytes], ...]
    masked_files: tuple[str, ...]
    masked_dirs: tuple[str, ...]
    read_only_dirs: tuple[str, ...]


def root_files() -> RootFiles:
    etc = []
    for name in ETC_FILES:
        path = os.path.join("/etc", name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                etc.append((name, f.read()))
    return RootFiles(
        etc=tuple(etc),
        masked_files=tuple(n for n in MASKED_PROC_FILES if os.path.exists(f"/proc/{n}")),
        masked_dirs=tuple(n for n in MASKED_PROC_DIRS if os.path.isdir(f"/proc/{n}")),
        read_only_dirs=tuple(n for n in READ_ONLY_PROC_DIRS if os.path.isdir(f"/proc/{n}")),
    )


def _write_etc(root: str, files: RootFiles, uid: int, gid: int, made: set[str]) -> None:
    etc = root + "/etc"
    own = {
        "passwd": f"root:x:0:0:root:/root:/bin/false\n"
                  f"sandbox:x:{uid}:{gid}:sandbox:{WORK_DIR}:/bin/false\n",
        "group": f"root:x:0:\nsandbox:x:{gid}:\n",
        "hosts": "127.0.0.1 localhost\n::1 localhost\n",
        "hostname": "sandbox\n",
        "resolv.conf": "",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
    }
    for name, data in (*files.etc, *((n, text.encode()) for n, text in own.items())):
        _make_file(f"{etc}/{name}", made, data)


def _make_sandbox(root: str, spec: JailSpec, made: set[str]) -> None:
    """The writable part: /sandbox (work and tmp, the child's own) and /tmp bound to its tmp."""
    sandbox = root + SANDBOX_DIR
    _make_dirs(sandbox, made)
    mount("tmpfs", sandbox, "tmpfs", MS_NOSUID | MS_NODEV,
          f"size={spec.written_bytes},mode=0755")
    for sub, mode in (("work", 0o700), ("tmp", 0o1777)):
        os.mkdir(f"{sandbox}/{sub}")
        os.chown(f"{sandbox}/{sub}", spec.uid, spec.gid)
        os.chmod(f"{sandbox}/{sub}", mode)
    _make_dirs(root + "/tmp", made)
    mount(f"{sandbox}/tmp", root + "/tmp", None, MS_BIND)


def _make_dev(root: str, devices: tuple[str, ...], made: set[str]) -> None:
    for source in (*(f"/dev/{name}" for name in DEVICES), *devices):
        # Device nodes need a plain bind: a read-only or nodev remount would make them unusable.
        node = root + source
        _make_file(node, made)
        mount(source, node, None, MS_BIND)
    _make_dirs(root + "/dev/shm", made)
    mount("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")


def build_root(spec: JailSpec, stash: dict[str, str] | None = None,
               files: RootFiles | None = None) -> None:
    """Replace the filesystem with a fresh tmpfs root holding only what the child may see.

    The mount namespace is the child's own: the zygote stays in the host's, with the host's /proc.
    `stash`: where the zygote made trees reachable that the child could not reach itself.
    `files`: what `root_files` gave the zygote (read here when not given).
    """
    files = files or root_files()
    _check(_libc.unshare(CLONE_NEWNS), "unshare mount namespace")
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    sources = _open_sources(SYSTEM_TREES + spec.readable, stash or {})
    root = NEW_ROOT
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    made = {root}
    # The writable part first: /tmp is a directory of it, so read-only trees that live under
    # /tmp on the host (a checkout there, say) are bound inside it.
    _make_sandbox(root, spec, made)
    for path, kind, handle in sources:
        _bind_readonly(kind, handle, root + path, made)
    _write_etc(root, files, spec.uid, spec.gid, made)
    _make_dev(root, spec.devices, made)
    os.mkdir(root + "/proc")
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mask_proc(root + "/proc", root + "/dev/null", files)
    _pivot(Path(root))


def _mask_proc(proc: str, null: str, files: RootFiles) -> None:
    """Masked files read as empty and masked folders as empty, all read-only. Only the first
    mask of each kind is made and remounted read-only; the others are binds of it, which the
    kernel makes with the flags of their source, read-only included."""
    first_file = first_dir = ""
    for name in files.masked_files:
        target = f"{proc}/{name}"
        if first_file:
            mount(first_file, target, None, MS_BIND)
            continue
        mount(null, target, None, MS_BIND)
        mount("none", target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
        first_file = target
    for name in files.masked_dirs:
        target = f"{proc}/{name}"
        if first_dir:
            mount(first_dir, target, None, MS_BIND)
            continue
        mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=0,mode=0555")
        first_dir = target
    for name in files.read_only_dirs:
        mount(f"{proc}/{name}", f"{proc}/{name}", None, MS_BIND | MS_REC)
        mount("none", f"{proc}/{name}", None, MS_BIND | MS_REMOUNT | MS_RDONLY)


def _pivot(root: Path) -> None:
    old = root / ".old"
    old.mkdir()
    import platform

    _check(_libc.syscall(SYS_PIVOT_ROOT[platform.machine()], str(root).encode(),
                         str(old).encode()), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount old root")
    os.rmdir("/.old")
    mount("none", "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _check(_libc.sethostname(b"sandbox", 7), "sethostname")


def set_limits(spec: JailSpec, with_cgroup: bool) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (spec.cpu_seconds, spec.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec.written_bytes, spec.written_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (spec.open_files, spec.open_files))
    processes = spec.processes or spec.max_tasks
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    if not with_cgroup:
        resource.setrlimit(resource.RLIMIT_DATA,
                           (spec.memory_fallback_bytes, spec.memory_fallback_bytes))


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise PermissionError("still root after dropping privileges")


def no_new_privs() -> None:
    """No exec may ever gain privileges again (needed by Landlock and seccomp)."""
    pr_set_no_new_privs = 38
    _check(_libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")


def close_fds_except(keep: set[int]) -> None:
    """Close every descriptor but `keep`: one close_range call per gap between them."""
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = max(low, fd + 1)
    os.closerange(low, FD_CEILING)
