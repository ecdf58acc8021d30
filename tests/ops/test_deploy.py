"""deploy/: the systemd units and the compose file start commands that exist here, with flags
their programs take, and say what the design asks of each process. Neither is run here (no
container engine; systemd is the host's), so this is what can be checked of them."""
from __future__ import annotations

import ast
import configparser
import functools
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.limits import Limits
from scripts.stack import ROOT
from scripts.supervise import NO_RESTART_CODES

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
BIN = Path(sys.executable).parent
SECRETS = ("DATABASE_URL", "SECRET_KEY")


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def exec_start(path: Path) -> list[str]:
    """ExecStart as systemd splits it, with the instance name of a template filled in."""
    value = unit(path)["Service"]["ExecStart"].replace("\\\n", " ")
    return shlex.split(value.replace("%i", "8001"))


@functools.cache
def help_text(*command: str) -> str:
    done = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


def assigned_in(module: str, name: str) -> bool:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, module
    tree = ast.parse(Path(spec.origin).read_text())
    return any(isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in node.targets) for node in tree.body)


def check_command(argv: list[str]) -> None:
    """The program is in the virtualenv, what it runs exists in this repository, and every
    `--flag` given is one its --help lists."""
    program = Path(argv[0]).name
    assert (BIN / program).exists(), argv
    if program == "daphne":
        module, _, attr = argv[-1].partition(":")
        assert assigned_in(module, attr), argv
        text = help_text(str(BIN / "daphne"))
    elif argv[1] == "-m":
        text = help_text(sys.executable, "-m", argv[2], argv[3])
    else:
        from django.core.management import get_commands

        assert argv[1] == "manage.py" and argv[2] in get_commands(), argv
        text = help_text(sys.executable, "manage.py", argv[2])
    for flag in (a.split("=")[0] for a in argv if a.startswith("--")):
        assert re.search(rf"(^|[\s,\[]){re.escape(flag)}\b", text), (flag, argv)


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_each_unit_starts_a_command_of_this_repository(path):
    argv = exec_start(path)
    assert argv[0].startswith("/opt/tf-playground/.venv/bin/")
    check_command(argv)
    service = unit(path)["Service"]
    assert service["WorkingDirectory"] == "/opt/tf-playground"
    assert service["Restart"] in ("always", "on-failure")


def test_a_check_of_a_command_fails_on_a_flag_the_program_does_not_take():
    with pytest.raises(AssertionError):
        check_command([str(BIN / "python"), "manage.py", "record_runs", "--no-such-flag"])
    with pytest.raises(AssertionError):
        check_command([str(BIN / "python"), "manage.py", "no_such_command"])


def test_daphne_is_a_template_listening_on_its_instance_port():
    (template,) = [p for p in UNITS if "daphne" in p.name]
    assert template.name.endswith("@.service")
    argv = shlex.split(unit(template)["Service"]["ExecStart"].replace("\\\n", " "))
    assert argv[argv.index("-p") + 1] == "%i" and "--proxy-headers" in argv
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", (DEPLOY / "nginx/site.conf").read_text())
    assert len(set(ports)) == 2  # nginx spreads over two instances


def test_the_worker_runs_as_root_drains_on_stop_and_restarts_only_on_failure():
    (path,) = [p for p in UNITS if "worker" in p.name]
    service = unit(path)["Service"]
    assert service.get("User", "root") == "root"
    assert service["KillMode"] == "mixed" and service["Restart"] == "on-failure"
    assert int(service["TimeoutStopSec"]) > Limits.from_env({}).wall_seconds + 10
    assert {int(code) for code in service["RestartPreventExitStatus"].split()} == set(
        NO_RESTART_CODES)


def env_example(name: str) -> dict[str, str]:
    lines = (DEPLOY / "systemd" / f"{name}.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_examples_name_only_settings_the_code_reads_and_the_worker_no_secret():
    sources = "".join(p.read_text() for folder in ("contract", "playground", "trainer")
                      for p in (ROOT / folder).rglob("*.py"))
    for name in ("web", "worker"):
        for variable in env_example(name):
            assert f'"{variable}"' in sources, variable
    assert not set(SECRETS) & set(env_example("worker"))
    assert set(SECRETS) <= set(env_example("web"))
    for path in UNITS:
        env_file = Path(unit(path)["Service"]["EnvironmentFile"])
        assert (DEPLOY / "systemd" / f"{env_file.name}.example").exists(), path.name


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def commands_of(service: dict[str, Any]) -> list[list[str]]:
    command = service["command"]
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in command[2].split("&&")]
    return [command]


def test_compose_runs_the_same_processes_with_commands_of_this_repository(compose):
    services = compose["services"]
    assert {"redis", "postgres", "web1", "web2", "recorder", "nginx", "worker-cpu"} <= set(
        services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        if "build" not in service:
            continue
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        target = service["build"]["target"]
        assert re.search(rf"^FROM \S+ AS {target}$", (DEPLOY / "Dockerfile").read_text(), re.M)
        for argv in commands_of(service):
            check_command([str(ROOT / argv[0])] + argv[1:])
    started = {tuple(argv[:3]) for s in services.values() if "build" in s
               for argv in commands_of(s)}
    assert (".venv/bin/python", "manage.py", "record_runs") in started
    assert (".venv/bin/python", "-m", "trainer") in started


def test_compose_workers_get_no_database_and_time_to_drain(compose):
    workers = {n: s for n, s in compose["services"].items() if n.startswith("worker-")}
    assert {s["environment"]["TRAINER_DEVICE"] for s in workers.values()} >= {"cpu", "gpu"}
    for service in workers.values():
        assert not set(SECRETS) & set(service["environment"])
        assert service["privileged"] is True  # the jail's namespaces, cgroups and uids
        assert int(service["stop_grace_period"].rstrip("s")) > Limits.from_env({}).wall_seconds


def test_nginx_of_compose_spreads_over_both_web_services(compose):
    services = compose["services"]
    upstream = set(re.findall(r"server (\S+?):(\d+)", (DEPLOY / "nginx/compose.conf").read_text()))
    daphnes = {(name, s["command"][s["command"].index("-p") + 1]) for name, s in services.items()
               if Path(s.get("command", ["-"])[0]).name == "daphne"}
    assert upstream == daphnes and len(daphnes) == 2
    for volume in services["nginx"]["volumes"]:
        assert (DEPLOY / volume.split(":")[0]).is_file(), volume
    locations = (DEPLOY / "nginx/locations.conf").read_text()
    assert "location /ws/" in locations and "Upgrade $http_upgrade" in locations


def docker_compose() -> list[str] | None:
    """`docker compose` where the Docker client has its compose plugin (no engine needed)."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    found = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
    return [docker, "compose"] if found.returncode == 0 else None


@pytest.mark.parametrize("profile", ["default", "gpu"])
def test_docker_compose_accepts_the_compose_file(profile):
    compose = docker_compose()
    if compose is None:
        pytest.skip("no `docker compose` here: the Docker client is missing or has no compose "
                    "plugin (`docker compose version` fails)")
    profiles = ["--profile", profile] if profile != "default" else []
    done = subprocess.run([*compose, "-f", str(DEPLOY / "compose.yaml"), *profiles, "config",
                           "--quiet"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_gpu_worker_of_compose_gets_the_nvidia_runtime_and_no_database(compose):
    worker = compose["services"]["worker-gpu"]
    assert worker["runtime"] == "nvidia" and worker["profiles"] == ["gpu"]
    assert worker["environment"]["TRAINER_DEVICE"] == "gpu"
    assert "compute" in worker["environment"]["NVIDIA_DRIVER_CAPABILITIES"]


def test_haproxy_accepts_its_config_and_balances_two_daphne():
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        pytest.skip("haproxy is not installed (scripts/system-packages.sh --browser installs it)")
    config = DEPLOY / "haproxy" / "haproxy.cfg"
    env = {"TFPG_LISTEN": "127.0.0.1:8080", "TFPG_WEB1": "127.0.0.1:8001",
           "TFPG_WEB2": "127.0.0.1:8002", "TFPG_HOST": "localhost", "PATH": "/usr/sbin:/usr/bin"}
    done = subprocess.run([haproxy, "-c", "-f", str(config)], env=env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    text = config.read_text()
    assert re.findall(r"^\s+server (web\d) ", text, re.M) == ["web1", "web2"]
    assert "timeout tunnel" in text and "/healthz" in text
