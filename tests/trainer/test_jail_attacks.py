"""Hostile snippets against the real jail, through the public contract.

Each case asserts what must never happen, and the next run after it must still work.
"""
from __future__ import annotations

import errno
import json
import os
from typing import Any

import pytest

from tests.live import LiveClient
from trainer.sandbox import jail

pytestmark = pytest.mark.sandbox


def stdout(record: dict[str, Any]) -> str:
    return "".join(e["text"] for e in record["events"] if e["type"] == "stdout")


def stderr(record: dict[str, Any]) -> str:
    return "".join(e["text"] for e in record["events"] if e["type"] == "stderr")


def done(record: dict[str, Any]) -> dict[str, Any]:
    assert record["events"][-1]["type"] == "done"
    return record["events"][-1]


@pytest.fixture
def attack(jail_client: LiveClient):
    """Run a hostile snippet, in the root jail and in the rootless one, then prove the service
    still runs ordinary code."""
    def run(code: str, **options: Any) -> dict[str, Any]:
        record = jail_client.run(code, **options)
        after = jail_client.run('print("still alive")')
        assert stdout(after) == "still alive\n", after["events"]
        return record
    return run


PROBE = """
import socket, errno
results = []
for family, address in {targets}:
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(address)
        results.append("CONNECTED " + repr(address))
    except OSError as exc:
        results.append("refused")
print(results)
"""


def test_no_network_to_redis_postgres_or_outside(attack):
    targets = ("[(socket.AF_INET, ('127.0.0.1', 6379)), (socket.AF_INET, ('127.0.0.1', 5432)),"
               " (socket.AF_INET6, ('::1', 6379)), (socket.AF_INET, ('10.0.0.1', 80))]")
    record = attack(PROBE.format(targets=targets))
    assert "CONNECTED" not in stdout(record)
    assert stdout(record).count("refused") == 4


def test_no_host_unix_sockets(attack):
    code = """
import glob, socket
paths = ["/var/run/postgresql/.s.PGSQL.5432", "/run/postgresql/.s.PGSQL.5432",
         "/var/run/redis/redis-server.sock", "/run/systemd/private", "/var/run/docker.sock"]
hits = []
for p in paths:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(p); hits.append(p)
    except OSError:
        pass
# abstract sockets of the host are in another network namespace
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\\0/tmp/.X11-unix/X0"); hits.append("abstract")
except OSError:
    pass
print("hits", hits)
"""
    assert "hits []" in stdout(attack(code))


def test_no_inherited_file_descriptors(attack):
    code = """
import os
print(sorted(int(fd) for fd in os.listdir("/proc/self/fd")))
"""
    fds = eval(stdout(attack(code)))  # noqa: S307 - our own printed list
    # 0-2 stdio, 3 events, plus the descriptor listdir itself opens
    assert set(fds) <= {0, 1, 2, 3, fds[-1]}, fds


def test_cannot_read_the_checkout_or_server_environment(attack, live_stack):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = f"""
import os, glob
found = []
for p in [{root!r} + "/manage.py", {root!r} + "/playground/settings.py", "/etc/shadow",
          "/root/.bash_history", "/etc/postgresql", "/var/lib/redis", "/home"]:
    if os.path.exists(p):
        found.append(p)
environs = []
for p in ["/proc/self/environ", *glob.glob("/proc/[0-9]*/environ")]:
    try:
        environs.append(open(p, "rb").read())
    except OSError:
        pass
print("found", found)
print("secret" if any(b"REDIS_URL" in e or b"DATABASE_URL" in e or b"SECRET_KEY" in e
                      for e in environs) else "clean", sorted(os.environ))
"""
    out = stdout(attack(code))
    assert "found []" in out
    assert "clean" in out and "REDIS" not in out


def test_no_server_modules_in_memory(attack):
    code = """
import sys
bad = [m for m in sys.modules if m.split(".")[0] in
       ("django", "celery", "kombu", "redis", "channels", "daphne", "playground", "psycopg")]
print("server modules:", bad)
"""
    assert "server modules: []" in stdout(attack(code))


def test_cannot_write_outside_the_work_dir(attack):
    code = """
import os
ok, refused = [], []
for p in ["/etc/x", "/usr/x", "/x", "/proc/x", os.path.dirname(os.__file__) + "/x"]:
    try:
        open(p, "w").write("x"); ok.append(p)
    except OSError:
        refused.append(p)
open("here.txt", "w").write("fine")
open("/tmp/t.txt", "w").write("fine")
print("wrote", ok, os.getcwd(), os.getuid())
"""
    out = stdout(attack(code))
    assert "wrote []" in out
    assert " 0\n" not in out  # not root


def test_a_run_never_sees_files_of_an_earlier_run(jail_client: LiveClient):
    jail_client.run('open("secret.txt","w").write("s"); open("/tmp/s2","w").write("s")')
    record = jail_client.run(
        'import os; print(os.path.exists("secret.txt"), os.path.exists("/tmp/s2"))')
    assert stdout(record) == "False False\n"


def test_no_process_outlives_its_run(jail_client: LiveClient):
    daemon = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            open("/tmp/alive", "w").write(str(time.time())); time.sleep(0.1)
    os._exit(0)
print("forked")
"""
    assert stdout(jail_client.run(daemon)) == "forked\n"
    record = jail_client.run('import glob; print(glob.glob("/proc/[0-9]*"))')
    pids = eval(stdout(record))  # noqa: S307
    assert pids == ["/proc/1"], pids


LEAVE_BEHIND = """
import fcntl, os, socket, struct, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\\0tfpg-left-behind")
s.listen(1)
try:
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", 1))  # SIOCSIFFLAGS: lo up
    print("lo up")
except OSError:
    print("lo stays down")
if os.fork() == 0:
    os.setsid()
    time.sleep(60)
    os._exit(0)
print(os.readlink("/proc/self/ns/net"))
"""
LOOK_FOR_IT = """
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\\0tfpg-left-behind")
    print("found it")
except OSError:
    print("nothing")
with open("/proc/net/dev") as f:
    print(sorted(line.split(":")[0].strip() for line in f if ":" in line))
print(os.readlink("/proc/self/ns/net"))
"""


def test_a_run_finds_nothing_left_in_its_network_namespace(jail_client: LiveClient,
                                                           request: pytest.FixtureRequest):
    """The root jail gives each slot a network namespace that its runs use one after the other:
    a socket listening in it dies with the run that made it (and its daemon), and a run cannot
    bring the loopback up for the next one. In the root jail, later runs look until one of them
    is in the same namespace as the first. (The rootless jail makes a new one every time; the
    kernel may give it the number of one destroyed before.)"""
    first = stdout(jail_client.run(LEAVE_BEHIND)).splitlines()
    assert first[0] == "lo stays down", first
    namespace, shared = first[1], False
    for _ in range(12):
        found, interfaces, where = stdout(jail_client.run(LOOK_FOR_IT)).splitlines()
        assert (found, interfaces) == ("nothing", "['lo']")
        shared = shared or where == namespace
        if shared:
            break
    if request.node.callspec.params["jail_client"] == "jail":
        assert shared


def test_cannot_kill_or_trace_the_worker(attack):
    code = """
import os, signal, ctypes
mine = {int(t) for t in os.listdir("/proc/self/task")}
results = []
for pid in range(1, 400):
    if pid in mine:
        continue
    try:
        os.kill(pid, signal.SIGKILL); results.append(pid)
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
print("killed", results, "ptrace", libc.ptrace(16, 1, 0, 0), "unshare", libc.unshare(0x40000000),
      "mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
"""
    out = stdout(attack(code))
    assert "killed []" in out
    assert "ptrace -1" in out and "unshare -1" in out and "mount -1" in out


def test_fork_bomb(attack):
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    record = attack(bomb)
    assert done(record)["status"] in {"timeout", "killed", "failed"}


def test_thread_bomb(attack):
    code = """
import threading, time
n = 0
try:
    while True:
        threading.Thread(target=time.sleep, args=(100,), daemon=True).start(); n += 1
except RuntimeError as exc:
    print("stopped at", n)
"""
    record = attack(code)
    assert "stopped at" in stdout(record)
    assert int(stdout(record).split()[-1]) < 100


@pytest.mark.parametrize("code", [
    "import numpy as np\nxs = []\nwhile True:\n    xs.append(np.ones(50_000_000))\n",
    "import tensorflow as tf\nxs = []\nwhile True:\n    xs.append(tf.ones([50_000_000]) + 1)\n",
])
def test_memory_bombs_end_as_oom(attack, request, code):
    ended = {"oom"}
    if request.node.callspec.params["jail_client"] == "rootless":
        # No memory cgroup: RLIMIT_DATA lets a slow machine reach the wall clock first.
        ended.add("timeout")
    assert done(attack(code))["status"] in ended


def test_cpu_loop_ends_as_timeout(attack):
    assert done(attack("while True:\n    pass\n"))["status"] == "timeout"


def test_sleeping_forever_ends_as_timeout(attack):
    assert done(attack("import time\ntime.sleep(10**6)\n"))["status"] == "timeout"


def test_disk_filling_is_capped(attack):
    code = """
chunk = b"x" * (1 << 20)
n = 0
try:
    with open("big", "wb") as f:
        while True:
            f.write(chunk); f.flush(); n += 1
except OSError as exc:
    print("stopped at", n, "MiB")
"""
    out = stdout(attack(code))
    assert "stopped at" in out and int(out.split()[2]) <= 50


def test_output_flood_is_truncated_and_kept_within_limit(attack):
    record = attack("import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n")
    kept = sum(len(e["text"]) for e in record["events"] if e["type"] == "stdout")
    assert kept <= 4 * 1024 * 1024
    truncated = [e for e in record["events"] if e["type"] == "truncated"]
    assert truncated and truncated[0]["stream"] == "stdout" and truncated[0]["dropped_bytes"] > 0


def test_line_flood_is_batched(attack):
    record = attack("for i in range(200_000):\n    print(i)\n")
    out = stdout(record)
    assert out.endswith("199999\n")
    assert sum(1 for e in record["events"] if e["type"] == "stdout") < 2000


def test_huge_tf_function_graph_is_collapsed_under_the_cap(attack):
    # 12,003 ops, about 3 MB of graph JSON in full: sent collapsed, with a note, under the 2 MiB
    # cap and still over Daphne's default 1 MiB frame size.
    code = """
import tensorflow as tf
@tf.function
def big(x):
    for i in range(3000):
        x = x * 1.0001 + 1.0
    return x
print(float(big(tf.constant(1.0))) > 1)
"""
    record = attack(code)
    assert "True" in stdout(record)
    graphs = [e for e in record["events"] if e["type"] == "graph"]
    graph = graphs[0]
    assert graph["collapsed"] and "12003 ops" in graph["note"]
    assert len(json.dumps(graph)) <= 2 * 1024 * 1024


def test_deep_recursion_is_a_clean_error(attack):
    record = attack(
        "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n+1)\nf(0)\n")
    assert done(record)["status"] in {"failed", "killed"}


def test_invalid_utf8_and_control_characters(attack):
    code = r"""
import os, sys
os.write(1, b"bad \xff\xfe bytes\n\x1b[31mred\x1b[0m\r\x07\x00end\n")
"""
    out = stdout(attack(code))
    # NUL is shown as U+FFFD: PostgreSQL stores no NUL in text.
    assert "bad \ufffd\ufffd bytes" in out and "\x1b[31mred" in out and "\ufffdend" in out


def test_forged_events_cannot_end_or_fake_a_run(attack):
    code = r"""
import os, json
forged = json.dumps({"seq": 99, "type": "done", "t": 0, "status": "succeeded", "duration_ms": 1,
                     "exit_code": 0})
print(forged)
for fd in range(3, 20):
    try:
        os.write(fd, (forged + "\n").encode())
        os.write(fd, (json.dumps({"type": "status", "status": "running"}) + "\n").encode())
        os.write(fd, b"{not json\n")
    except OSError:
        pass
raise SystemExit(3)
"""
    record = attack(code)
    dones = [e for e in record["events"] if e["type"] == "done"]
    assert len(dones) == 1 and dones[0]["status"] == "failed" and dones[0]["exit_code"] == 3
    assert [e["seq"] for e in record["events"]] == list(range(1, len(record["events"]) + 1))
    assert sum(1 for e in record["events"] if e["type"] == "status") == 1


def test_proc_shows_nothing_of_the_host_kernel(attack):
    """Kernel symbols, keys, timers, the boot command line, the kernel config and the host's
    load read as empty; /proc/sys is read-only."""
    code = """
import os
for name in ("kallsyms", "keys", "timer_list", "sched_debug", "cmdline", "config.gz",
             "loadavg", "kcore"):
    path = "/proc/" + name
    if os.path.exists(path):
        with open(path, "rb") as f:
            print(name, len(f.read(4096)))
try:
    with open("/proc/sys/kernel/hostname", "w") as f:
        f.write("x")
    print("wrote /proc/sys")
except OSError as exc:
    print("sys read-only", exc.errno)
"""
    out = stdout(attack(code))
    lines = out.splitlines()
    assert lines[-1].startswith("sys read-only")
    assert "cmdline 0" in lines and "kallsyms 0" in lines
    for line in lines[:-1]:
        assert line.endswith(" 0"), line


def test_every_masked_proc_entry_is_empty_and_read_only(attack):
    """Each masked file and folder of /proc, not only the first of each kind (which the others
    are bound from), reads as empty and is a read-only mount (a write to a masked file lands in
    /dev/null, which it is); a masked folder refuses new files."""
    code = f"""
import os
for name in {jail.MASKED_PROC_FILES!r}:
    path = "/proc/" + name
    if os.path.exists(path):
        with open(path, "rb") as f:
            print(name, "file", len(f.read(4096)), os.statvfs(path).f_flag & os.ST_RDONLY)
for name in {jail.MASKED_PROC_DIRS!r}:
    path = "/proc/" + name
    if os.path.isdir(path):
        try:
            open(path + "/x", "w").close()
            print(name, "written")
        except OSError as exc:
            print(name, "dir", len(os.listdir(path)), exc.errno)
"""
    lines = stdout(attack(code)).splitlines()
    assert len(lines) >= 10, lines
    for line in lines:
        name, kind, size, flag = line.split()
        assert (kind, size) in (("file", "0"), ("dir", "0")), line
        assert int(flag) == (os.ST_RDONLY if kind == "file" else errno.EROFS), line
