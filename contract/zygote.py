"""Messages between a worker's pool, its zygote and a warming spare, as typed request/answer pairs.

On the wire each message is a JSON object whose `kind` names its class here; `decode` refuses a
kind it does not know. The pool sends a request and reads the answer its pair names:

    Info  -> Runtime                the runtime of the spares, once one is warm
    Take  -> Handout | Refusal      a spare's pipes (passed as fds) and cgroup: a warm one, or a
                                    cold one (`contract.spares`) when the Take says so
    (spare -> zygote)  Warm | Refusal   the spare finished its warm-up, or failed

The zygote's start-up configuration travels as one `ZygoteConfig` in its argv.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from contract.limits import Limits
from contract.spares import WARM

# How a worker isolates runs, strongest first: the root jail, the jail built in a user namespace
# without root, or nothing (an explicit opt-out for a single-user laptop).
SANDBOXES = ("jail", "rootless", "none")

# A spare's pipes, in the order the zygote passes their fds.
SPARE_PIPES = ("control", "stdout", "stderr", "events", "status")


@dataclass(frozen=True)
class Message:
    kind: ClassVar[str] = ""

    def to_wire(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class Info(Message):
    kind: ClassVar[str] = "info"


@dataclass(frozen=True)
class Runtime(Message):
    kind: ClassVar[str] = "runtime"
    runtime: dict[str, Any] | None  # None until the first spare is warm
    ready: int
    cgroup: int  # the cgroup version in use, 0 for none


@dataclass(frozen=True)
class Take(Message):
    kind: ClassVar[str] = "take"
    spare: str = WARM  # one of contract.spares.SPARE_KINDS


@dataclass(frozen=True)
class Handout(Message):
    kind: ClassVar[str] = "handout"
    pid: int  # the zygote's child: killing it ends the run's pid namespace
    run_pid: int  # the process that runs the code (the same, or its child in a rootless jail)
    slot: int
    group: str
    cgroup: int
    runtime: dict[str, Any]
    pipes: tuple[str, ...] = SPARE_PIPES
    spare: str = WARM


@dataclass(frozen=True)
class Refusal(Message):
    kind: ClassVar[str] = "refusal"
    error: str


@dataclass(frozen=True)
class Warm(Message):
    kind: ClassVar[str] = "warm"
    runtime: dict[str, Any]


PAIRS: dict[type[Message], tuple[type[Message], ...]] = {
    Info: (Runtime,),
    Take: (Handout, Refusal),
}
KINDS: dict[str, type[Message]] = {
    cls.kind: cls for cls in (Info, Runtime, Take, Handout, Refusal, Warm)
}


class BadMessage(ValueError):
    """A message whose kind or fields are not those of the contract."""


def decode(data: Any, expected: tuple[type[Message], ...] | None = None) -> Message:
    """The message `data` carries; BadMessage unless it is one of `expected` (when given)."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise BadMessage("not a message")
    cls = KINDS.get(data["kind"])
    if cls is None or (expected is not None and cls not in expected):
        raise BadMessage(f"unexpected message kind {data['kind']!r}")
    names = {f.name for f in fields(cls)}
    try:
        message = cls(**{k: v for k, v in data.items() if k in names})
    except TypeError as exc:
        raise BadMessage(str(exc)) from None
    if isinstance(message, Handout):
        message = Handout(**{**asdict(message), "pipes": tuple(message.pipes)})
    return message


@dataclass(frozen=True)
class ZygoteConfig:
    """Everything a zygote needs, fixed when the worker starts it."""

    sock_fd: int
    spares: int
    sandbox: str  # one of SANDBOXES
    uid_base: int
    slots: int
    device_class: str
    logical_cpus: int
    readable: tuple[str, ...]
    datasets_dir: str
    cpu_cores: float
    warm_function: bool
    limits: Limits = field(default_factory=Limits)
    cold_spares: int = 1  # spares kept forked and jailed before TensorFlow's first op
    devices: tuple[str, ...] = ()  # accelerator device nodes each child gets (/dev/nvidia0, ...)
    instrumentation: bool = True  # False only for bench/snippets.py's comparison

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ZygoteConfig:
        data = json.loads(text)
        data["readable"] = tuple(data["readable"])
        data["devices"] = tuple(data.get("devices", ()))
        data["limits"] = Limits.from_dict(data["limits"])
        return cls(**data)
