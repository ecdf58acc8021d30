"""Hosts for a test, made of network namespaces on one machine: each host has its own network
stack, one address on a private subnet the test owns, and its own host name; a bridge in a
namespace of its own joins them, and a veth link gives the test process an address there too.

Nothing here touches an address outside that subnet. Everything is named after the test
session's pid, so sessions side by side do not meet, and what a killed session left behind is
removed by the next one.
"""
from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "tfpgh"  # namespace and interface names start with this, then the session's pid


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=30)


def cannot_make_namespaces() -> str:
    """Why this machine cannot make the test's hosts, or "" when it can (tried, not assumed)."""
    for tool in ("ip", "nsenter", "unshare"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (iproute2, util-linux)"
    probe = f"{PREFIX}{os.getpid()}-probe"
    made = run("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"cannot create a network namespace here: {made.stderr.strip() or made.stdout}"
    try:
        pair = run("ip", "-n", probe, "link", "add", "pa", "type", "veth", "peer", "name", "pb",
                   check=False)
        if pair.returncode != 0:
            return f"cannot create a veth link here: {pair.stderr.strip()}"
        uts = run("unshare", "--uts", "true", check=False)
        if uts.returncode != 0:
            return f"cannot create a UTS namespace here: {uts.stderr.strip()}"
    finally:
        run("ip", "netns", "del", probe, check=False)
    return ""


def remove_leftovers() -> None:
    """Delete the namespaces and links of test sessions whose process is gone."""
    listed = run("ip", "netns", "list", check=False).stdout.split()
    for name in listed:
        match = re.fullmatch(rf"{PREFIX}(\d+)-\w+", name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            run("ip", "netns", "del", name, check=False)
    for line in run("ip", "-o", "link", "show", check=False).stdout.splitlines():
        match = re.search(rf" ({PREFIX}(\d+)\w*)[@:]", line)
        if match and not Path(f"/proc/{match.group(2)}").exists():
            run("ip", "link", "del", match.group(1), check=False)


def free_subnet() -> ipaddress.IPv4Network:
    """A /24 under 10.231.0.0/16 that no route of this machine covers."""
    routes = run("ip", "-4", "route", "show", "table", "all", check=False).stdout
    used = [ipaddress.ip_network(m, strict=False)
            for m in re.findall(r"(?m)^(?:local |broadcast )?(\d+\.\d+\.\d+\.\d+(?:/\d+)?)",
                                routes)]
    for offset in range(250):
        candidate = ipaddress.ip_network(f"10.231.{(os.getpid() + offset) % 250 + 1}.0/24")
        if not any(candidate.overlaps(u) for u in used):
            return candidate
    raise RuntimeError("no free /24 under 10.231.0.0/16 for the test's hosts")


@dataclass
class Host:
    name: str  # its host name, as its processes see it
    netns: str
    address: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)


class Network:
    """A bridge namespace, hosts joined to it, and the test process's own address on it."""

    def __init__(self) -> None:
        self.tag = f"{PREFIX}{os.getpid()}"
        self.subnet = free_subnet()
        self.addresses = self.subnet.hosts()
        self.bridge_ns = f"{self.tag}-sw"
        self.hosts: dict[str, Host] = {}
        self.links = 0
        self.our_link = f"{self.tag}r"
        run("ip", "netns", "add", self.bridge_ns)
        run("ip", "-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.bridge_ns, "link", "set", "br0", "up")
        self.address = str(next(self.addresses))
        self._link(self.our_link, None, self.address)

    def _link(self, ours: str, netns: str | None, address: str) -> None:
        """A veth pair: `ours` in `netns` (None: the test's own) with `address`, its peer on
        the bridge."""
        self.links += 1
        peer = f"{self.tag}p{self.links}"
        run("ip", "link", "add", ours, "type", "veth", "peer", "name", peer)
        run("ip", "link", "set", peer, "netns", self.bridge_ns)
        run("ip", "-n", self.bridge_ns, "link", "set", peer, "master", "br0", "up")
        prefix = ["ip"] if netns is None else ["ip", "-n", netns]
        if netns is not None:
            run("ip", "link", "set", ours, "netns", netns)
            run(*prefix, "link", "set", ours, "name", "eth0")
            ours = "eth0"
            run(*prefix, "link", "set", "lo", "up")
        run(*prefix, "addr", "add", f"{address}/{self.subnet.prefixlen}", "dev", ours)
        run(*prefix, "link", "set", ours, "up")

    def add_host(self, role: str) -> Host:
        netns = f"{self.tag}-{role}"
        run("ip", "netns", "add", netns)
        host = Host(name=f"{role}-{self.tag}", netns=netns, address=str(next(self.addresses)))
        self._link(f"{self.tag}h{len(self.hosts)}", netns, host.address)
        self.hosts[role] = host
        return host

    def start(self, host: Host, argv: list[str], env: Mapping[str, str], log: Path,
              cwd: Path) -> subprocess.Popen[bytes]:
        """Start `argv` on `host`: in its network namespace and under its host name, with exactly
        `env`, in a process group of its own. nsenter, unshare and sh each exec the next, so
        the process's pid is the program's."""
        wrapped = ["nsenter", f"--net=/run/netns/{host.netns}", "--", "unshare", "--uts", "--",
                   "sh", "-c", 'hostname "$0" && exec "$@"', host.name, *argv]
        with open(log, "ab") as out:
            proc = subprocess.Popen(wrapped, env=dict(env), cwd=cwd, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        host.procs.append(proc)
        return proc

    def link(self, host: Host, up: bool) -> None:
        """Cut the host off the network, or join it again (its address and routes come back)."""
        run("ip", "-n", host.netns, "link", "set", "eth0", "up" if up else "down")

    def close(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL to its group), then remove every namespace
        and link made here."""
        procs = [p for h in self.hosts.values() for p in h.procs if p.poll() is None]
        for proc in procs:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        for host in self.hosts.values():
            run("ip", "netns", "del", host.netns, check=False)
        run("ip", "netns", "del", self.bridge_ns, check=False)
        run("ip", "link", "del", self.our_link, check=False)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
