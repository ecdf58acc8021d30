"""The host's hardware as the worker sees it: CPU from /proc, GPUs from NVML, TPUs from the
environment; and what one run uses of its GPU.

NVML comes from `nvidia-ml-py` (the `gpu` extra), imported only when asked for: a CPU host has
neither it nor a driver, and every probe here then answers "nothing". None of this runs on the
project's machines with real hardware (they have no accelerator): tests/trainer/test_accelerators.py
checks it against stand-ins of NVML and of TensorFlow's TPU resolver.
"""
from __future__ import annotations

import glob
import importlib
import logging
import os
import re
import threading
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)
MiB = 1024 * 1024
# TPU VMs and GKE TPU nodes name the accelerator in one of these (e.g. "v4-8", "v5litepod-8").
TPU_TYPE_VARIABLES = ("TPU_ACCELERATOR_TYPE", "ACCELERATOR_TYPE", "TPU_TYPE")

_nvml_lock = threading.Lock()
_nvml: Any = None
_nvml_tried = False


def nvml() -> Any:
    """The initialised `pynvml` module, or None where it is not installed or finds no driver."""
    global _nvml, _nvml_tried
    with _nvml_lock:
        if not _nvml_tried:
            _nvml_tried = True
            try:
                module = importlib.import_module("pynvml")
                module.nvmlInit()
                _nvml = module
            except Exception as exc:  # noqa: BLE001 - no package, no library, no driver: no GPU
                log.debug("NVML unavailable: %s", exc)
                _nvml = None
        return _nvml


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def gpus() -> list[dict[str, Any]]:
    """Every GPU NVML sees, in its (PCI bus) order: index, name, memory in MiB, UUID."""
    lib = nvml()
    if lib is None:
        return []
    found = []
    try:
        for index in range(lib.nvmlDeviceGetCount()):
            handle = lib.nvmlDeviceGetHandleByIndex(index)
            found.append({"index": index, "name": _text(lib.nvmlDeviceGetName(handle)),
                          "memory_mb": int(lib.nvmlDeviceGetMemoryInfo(handle).total // MiB),
                          "uuid": _text(lib.nvmlDeviceGetUUID(handle))})
    except Exception as exc:  # noqa: BLE001 - a driver error is "no GPU we can describe"
        log.warning("NVML failed listing GPUs: %s", exc)
    return found


def gpu_indices(visible: str | None = None) -> list[str]:
    """The GPUs this worker may hand out, as CUDA_VISIBLE_DEVICES entries: the operator's list
    when set, else every GPU NVML or /dev shows."""
    if visible is not None:
        return [entry.strip() for entry in visible.split(",") if entry.strip()]
    listed = [str(gpu["index"]) for gpu in gpus()]
    if listed:
        return listed
    nodes = (re.fullmatch(r"/dev/nvidia(\d+)", path) for path in glob.glob("/dev/nvidia[0-9]*"))
    return sorted((m.group(1) for m in nodes if m), key=int)


def slot_gpu(slot: int, visible: str) -> str | None:
    """The one GPU of a sandbox slot, from the worker's list (CUDA_VISIBLE_DEVICES): slots take
    the GPUs in turn, so with as many runs at once as GPUs, each run has a GPU of its own."""
    listed = [entry.strip() for entry in visible.split(",") if entry.strip()]
    if not listed or listed == ["-1"]:
        return None
    return listed[slot % len(listed)]


# The NVIDIA driver's shared nodes; each GPU also has /dev/nvidia<n>.
NVIDIA_NODES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset")


def device_nodes(device_class: str, visible: str | None = None) -> tuple[str, ...]:
    """The device nodes a jailed child of `device_class` needs to reach its accelerator, of
    those this host has: the driver's shared nodes and the worker's GPUs (all of them: CUDA in
    the child picks its slot's one), or the TPU's chips. None on a CPU or simulated host."""
    if device_class == "gpu":
        listed = gpu_indices(visible)
        if all(entry.isdigit() for entry in listed):
            gpus = [f"/dev/nvidia{entry}" for entry in listed]
        else:  # GPUs named by UUID: which node is which is the driver's to say
            gpus = sorted(glob.glob("/dev/nvidia[0-9]*"))
        found = [*NVIDIA_NODES, *gpus]
    elif device_class == "tpu":
        found = [*sorted(glob.glob("/dev/accel*")), *sorted(glob.glob("/dev/vfio/*"))]
    else:
        return ()
    return tuple(path for path in found if os.path.exists(path))


def tpu() -> dict[str, Any] | None:
    """The TPU of a TPU VM: its type from the environment, its chips from /dev; None elsewhere."""
    chips = sorted(glob.glob("/dev/accel*")) or sorted(glob.glob("/dev/vfio/[0-9]*"))
    kind = next((os.environ[v] for v in TPU_TYPE_VARIABLES if os.environ.get(v)), "")
    if not chips and not kind:
        return None
    return {"type": kind or "unknown", "chips": len(chips)}


def cpu(cpuinfo: str = "/proc/cpuinfo") -> dict[str, Any]:
    """The CPU's model name and the cores this process may use."""
    model = ""
    try:
        with open(cpuinfo) as f:
            for line in f:
                name, _, value = line.partition(":")
                if name.strip() in ("model name", "Model", "cpu model"):
                    model = value.strip()
                    break
    except OSError:
        pass
    return {"model": model or "unknown", "cores": len(os.sched_getaffinity(0))}


def hardware() -> dict[str, Any]:
    """What a heartbeat says of this host: CPU always, GPUs and TPU where present."""
    found: dict[str, Any] = {"cpu": cpu()}
    listed = gpus()
    if listed:
        found["gpus"] = [{k: g[k] for k in ("name", "memory_mb")} for g in listed]
    if (accelerator := tpu()) is not None:
        found["tpu"] = accelerator
    return found


def has_hardware(device_class: str) -> bool:
    """Whether this host really has the accelerator of `device_class` (cpu: always)."""
    if device_class == "gpu":
        return bool(gpu_indices())
    if device_class == "tpu":
        accelerator = tpu()
        return accelerator is not None and accelerator["chips"] > 0
    return True


def run_pids(group: Any, child_pid: int) -> list[int]:
    """The processes of a run, as this pid namespace numbers them: its cgroup's, else its own."""
    if group is not None:
        try:
            return list(group.pids())
        except (OSError, ValueError):
            pass
    return [child_pid]


def gpu_usage(gpu: str | None, pids: Iterable[int]) -> dict[str, float]:
    """A run's use of its GPU: the memory its processes hold on it (MiB) and the GPU's
    utilisation (%, the whole GPU's: a run has it to itself). Empty without NVML or a GPU."""
    lib = nvml()
    if lib is None or gpu is None:
        return {}
    try:
        handle = (lib.nvmlDeviceGetHandleByUUID(gpu) if gpu.startswith("GPU-")
                  else lib.nvmlDeviceGetHandleByIndex(int(gpu)))
        mine = set(pids)
        used = sum((p.usedGpuMemory or 0) for p in lib.nvmlDeviceGetComputeRunningProcesses(handle)
                   if p.pid in mine)
        util = lib.nvmlDeviceGetUtilizationRates(handle).gpu
    except Exception as exc:  # noqa: BLE001 - a sample missed is no reason to stop a run
        log.debug("NVML sample failed: %s", exc)
        return {}
    return {"gpu_mem_mb": round(used / MiB, 1), "gpu_util": float(util)}


def connect_tpu(tf: Any) -> Any:
    """On a TPU VM, before the first op: connect TensorFlow to the local TPU and initialise it,
    so that a snippet's `TPUStrategy(TPUClusterResolver(tpu="local"))` finds it ready. Returns
    the resolver."""
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu="local")
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return resolver
