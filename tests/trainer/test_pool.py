"""The zygote's environment, and the cgroups its children leave behind."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from trainer.config import WorkerSettings
from trainer.pool import clean_environment
from trainer.sandbox import cgroups


def test_the_zygote_inherits_nothing_of_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "server-only")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/x")
    env = clean_environment(WorkerSettings.from_env())
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env
    assert not any("server-only" in value for value in env.values())


def test_onednn_is_off_unless_the_operator_turns_it_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    assert clean_environment(WorkerSettings.from_env())["TF_ENABLE_ONEDNN_OPTS"] == "0"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    assert clean_environment(WorkerSettings.from_env())["TF_ENABLE_ONEDNN_OPTS"] == "1"


def _groups(root: Path, names: list[str]) -> None:
    for controller in ("memory", "pids", "cpuacct", "cpu"):
        for name in names:
            (root / controller / cgroups.PARENT / name).mkdir(parents=True)


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])  # noqa: S603, S607
    child.wait()
    return child.pid


def test_groups_left_by_a_dead_zygote_are_removed_and_live_ones_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    dead, live = _dead_pid(), os.getpid()
    _groups(tmp_path, [f"{dead}-1", f"{dead}-2", f"{live}-3", "not-ours"])
    assert cgroups.remove_orphans(1) == 2
    for controller in ("memory", "pids", "cpuacct", "cpu"):
        left = sorted(p.name for p in (tmp_path / controller / cgroups.PARENT).iterdir())
        assert left == sorted([f"{live}-3", "not-ours"])


def test_a_stopped_zygote_s_groups_are_removed_even_if_its_pid_is_reused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    mine, other = os.getpid(), os.getppid()
    _groups(tmp_path, [f"{mine}-1", f"{other}-2"])
    assert cgroups.remove_orphans(1, zygote_pid=mine) == 1
    assert [p.name for p in (tmp_path / "memory" / cgroups.PARENT).iterdir()] == [f"{other}-2"]


def test_a_group_that_still_holds_something_is_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    dead = _dead_pid()
    _groups(tmp_path, [f"{dead}-1"])
    # Another pid namespace's zygote looks gone from here; its busy group must not be emptied.
    (tmp_path / "memory" / cgroups.PARENT / f"{dead}-1" / "cgroup.procs").write_text("42\n")
    assert cgroups.remove_orphans(1) == 0
    assert (tmp_path / "memory" / cgroups.PARENT / f"{dead}-1" / "cgroup.procs").exists()
