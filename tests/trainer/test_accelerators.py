"""GPU and TPU support, against stand-ins: the project's machines have no accelerator, so NVML
(`pynvml`) and TensorFlow's device and TPU calls are played by small fakes here. What these
tests cannot show is that the real driver answers the same: that is untested on hardware."""
from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass, field
from typing import Any

import pytest

from trainer import accelerators, devices
from trainer.config import WorkerSettings
from trainer.pool import clean_environment
from trainer.sandbox import runner

MiB = 1024 * 1024


@dataclass
class FakeGpu:
    name: str
    total_mb: int
    util: int = 0
    processes: list[tuple[int, int | None]] = field(default_factory=list)  # (pid, bytes)


def fake_nvml(gpus: list[FakeGpu]) -> types.ModuleType:
    """The parts of nvidia-ml-py's `pynvml` the worker calls; handles are indices."""
    nvml = types.ModuleType("pynvml")
    nvml.nvmlInit = lambda: None  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetCount = lambda: len(gpus)  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetHandleByUUID = (  # type: ignore[attr-defined]
        lambda uuid: int(uuid.removeprefix("GPU-fake-")))
    nvml.nvmlDeviceGetName = lambda h: gpus[h].name.encode()  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetUUID = lambda h: f"GPU-fake-{h}"  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetMemoryInfo = (  # type: ignore[attr-defined]
        lambda h: types.SimpleNamespace(total=gpus[h].total_mb * MiB, used=0))
    nvml.nvmlDeviceGetUtilizationRates = (  # type: ignore[attr-defined]
        lambda h: types.SimpleNamespace(gpu=gpus[h].util, memory=0))
    nvml.nvmlDeviceGetComputeRunningProcesses = (  # type: ignore[attr-defined]
        lambda h: [types.SimpleNamespace(pid=p, usedGpuMemory=b) for p, b in gpus[h].processes])
    return nvml


@pytest.fixture
def nvml(monkeypatch: pytest.MonkeyPatch):
    """Install a stand-in NVML with two GPUs; the module's cache is reset around the test."""
    gpus = [FakeGpu("NVIDIA A100-SXM4-40GB", 40960), FakeGpu("NVIDIA A100-SXM4-40GB", 40960)]
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(gpus))
    monkeypatch.setattr(accelerators, "_nvml", None)
    monkeypatch.setattr(accelerators, "_nvml_tried", False)
    yield gpus
    monkeypatch.setattr(accelerators, "_nvml", None)
    monkeypatch.setattr(accelerators, "_nvml_tried", False)


@pytest.fixture
def no_nvml(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails as if not installed
    monkeypatch.setattr(accelerators, "_nvml", None)
    monkeypatch.setattr(accelerators, "_nvml_tried", False)
    monkeypatch.setattr(accelerators.glob, "glob", lambda pattern: [])
    yield
    monkeypatch.setattr(accelerators, "_nvml_tried", False)


def test_it_describes_the_gpus_nvml_sees(nvml: list[FakeGpu]) -> None:
    found = accelerators.hardware()
    assert found["gpus"] == [{"name": "NVIDIA A100-SXM4-40GB", "memory_mb": 40960}] * 2
    assert found["cpu"]["cores"] >= 1 and found["cpu"]["model"]
    assert accelerators.gpu_indices() == ["0", "1"]
    assert accelerators.has_hardware("gpu")


def test_without_nvml_there_is_no_gpu_and_a_forced_gpu_is_simulated(no_nvml: None) -> None:
    assert "gpus" not in accelerators.hardware()
    assert accelerators.gpu_indices() == []
    assert devices.simulated("gpu", forced="gpu")
    assert devices.simulated("tpu", forced="tpu")
    assert not devices.simulated("cpu", forced="cpu")


def test_a_gpu_host_s_class_is_not_simulated(nvml: list[FakeGpu]) -> None:
    assert not devices.simulated("gpu", forced="gpu")


def test_it_reads_the_cpu_model_from_cpuinfo(tmp_path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14\n")
    assert accelerators.cpu(str(info)) == {"model": "AMD EPYC 9R14",
                                           "cores": len(os.sched_getaffinity(0))}


def test_the_zygote_gets_every_gpu_of_the_worker_in_nvml_s_order(
        nvml: list[FakeGpu], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    env = clean_environment(WorkerSettings.from_env({"TRAINER_DEVICE": "gpu"}))
    assert env["CUDA_VISIBLE_DEVICES"] == "0,1"
    assert env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"
    chosen = WorkerSettings.from_env({"TRAINER_DEVICE": "gpu", "CUDA_VISIBLE_DEVICES": "3,5"})
    assert clean_environment(chosen)["CUDA_VISIBLE_DEVICES"] == "3,5"
    cpu = clean_environment(WorkerSettings.from_env({"TRAINER_DEVICE": "cpu"}))
    assert "CUDA_VISIBLE_DEVICES" not in cpu


def test_slots_take_the_gpus_in_turn() -> None:
    assert [accelerators.slot_gpu(slot, "3,5") for slot in range(4)] == ["3", "5", "3", "5"]
    assert accelerators.slot_gpu(0, "") is None
    assert accelerators.slot_gpu(0, "-1") is None


class FakeConfig:
    """tf.config as a GPU host's child sees it: the GPUs CUDA_VISIBLE_DEVICES leaves, as CUDA
    numbers them when it starts (the listing)."""

    def __init__(self, host_gpus: int) -> None:
        self.host_gpus = host_gpus
        self.visible: list[str] | None = None
        self.growth: list[str] = []
        self.logical: Any = None
        self.threading = types.SimpleNamespace(set_inter_op_parallelism_threads=lambda n: None,
                                               set_intra_op_parallelism_threads=lambda n: None)
        self.experimental = types.SimpleNamespace(
            set_memory_growth=lambda d, on: self.growth.append(d))
        self.experimental_connect_to_cluster = (
            lambda resolver: self.calls.append(("connect", resolver.tpu)))
        self.calls: list[tuple[str, str]] = []
        self.LogicalDeviceConfiguration = object

    def list_physical_devices(self, kind: str) -> list[str]:
        if kind == "CPU":
            return ["CPU:0"]
        seen = os.environ.get("CUDA_VISIBLE_DEVICES", ",".join(map(str, range(self.host_gpus))))
        return [f"GPU:{i} (host {g})" for i, g in enumerate(seen.split(",")) if g]

    def set_visible_devices(self, found: list[str], kind: str) -> None:
        self.visible = found

    def set_logical_device_configuration(self, device: str, configs: list[Any]) -> None:
        self.logical = (device, len(configs))


def fake_tf(host_gpus: int = 0) -> Any:
    config = FakeConfig(host_gpus)

    class Resolver:
        def __init__(self, tpu: str) -> None:
            self.tpu = tpu

    tf = types.SimpleNamespace(config=config, distribute=types.SimpleNamespace(
        cluster_resolver=types.SimpleNamespace(TPUClusterResolver=Resolver)))
    tf.tpu = types.SimpleNamespace(experimental=types.SimpleNamespace(
        initialize_tpu_system=lambda resolver: config.calls.append(("initialize", resolver.tpu))))
    return tf


def test_each_child_sees_only_its_slot_s_gpu_and_grows_its_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for slot, expected in ((0, "3"), (1, "5"), (2, "3")):
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
        tf = fake_tf(host_gpus=8)
        runner.configure_devices(tf, "gpu", slot=slot, logical_cpus=2)
        assert os.environ["CUDA_VISIBLE_DEVICES"] == expected
        assert tf.config.visible == [f"GPU:0 (host {expected})"]
        assert tf.config.growth == [f"GPU:0 (host {expected})"]
        assert tf.config.logical is None


def test_a_simulated_gpu_child_splits_the_cpu_like_a_cpu_child(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    tf = fake_tf(host_gpus=0)
    runner.configure_devices(tf, "gpu", slot=1, logical_cpus=2)
    assert tf.config.visible is None and tf.config.logical == ("CPU:0", 2)


def test_a_tpu_child_connects_to_the_local_tpu_before_its_first_op() -> None:
    tf = fake_tf()
    runner.configure_devices(tf, "tpu", slot=0, logical_cpus=2)
    assert tf.config.calls == [("connect", "local"), ("initialize", "local")]
    assert tf.config.logical is None


def test_a_run_s_gpu_sample_counts_its_own_processes_only(nvml: list[FakeGpu]) -> None:
    nvml[1].util = 87
    nvml[1].processes = [(4242, 300 * MiB), (4243, 212 * MiB), (999, 5000 * MiB)]
    nvml[0].processes = [(4242, 7000 * MiB)]  # another GPU: not this run's
    assert accelerators.gpu_usage("1", [4242, 4243]) == {"gpu_mem_mb": 512.0, "gpu_util": 87.0}
    assert accelerators.gpu_usage("GPU-fake-1", [4242]) == {"gpu_mem_mb": 300.0,
                                                            "gpu_util": 87.0}
    nvml[1].processes = [(4242, None)]  # a driver that hides per-process memory
    assert accelerators.gpu_usage("1", [4242])["gpu_mem_mb"] == 0.0
    assert accelerators.gpu_usage(None, [4242]) == {}


def test_no_gpu_sample_without_nvml(no_nvml: None) -> None:
    assert accelerators.gpu_usage("0", [1]) == {}


def test_a_tpu_vm_is_described_from_its_environment_and_devices(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPU_ACCELERATOR_TYPE", "v4-8")
    monkeypatch.setattr(accelerators.glob, "glob", lambda pattern: (
        ["/dev/accel0", "/dev/accel1", "/dev/accel2", "/dev/accel3"]
        if pattern == "/dev/accel*" else []))
    assert accelerators.tpu() == {"type": "v4-8", "chips": 4}
    assert accelerators.has_hardware("tpu")
    env = clean_environment(WorkerSettings.from_env({"TRAINER_DEVICE": "tpu"}))
    assert env["TPU_ACCELERATOR_TYPE"] == "v4-8"


def test_a_gpu_child_gets_the_driver_s_nodes_and_the_worker_s_gpus_in_its_jail(
        nvml: list[FakeGpu], monkeypatch: pytest.MonkeyPatch) -> None:
    present = {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0", "/dev/nvidia1"}
    monkeypatch.setattr(accelerators.os.path, "exists", lambda path: path in present)
    assert accelerators.device_nodes("gpu") == (
        "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0", "/dev/nvidia1")
    assert accelerators.device_nodes("gpu", "1") == ("/dev/nvidiactl", "/dev/nvidia-uvm",
                                                     "/dev/nvidia1")
    assert accelerators.device_nodes("cpu") == ()


def test_a_simulated_gpu_child_gets_no_device(no_nvml: None) -> None:
    assert accelerators.device_nodes("gpu") == ()


def test_the_zygote_config_carries_the_devices_to_the_jail() -> None:
    from contract.zygote import ZygoteConfig

    config = ZygoteConfig(sock_fd=3, spares=1, sandbox="jail", uid_base=61000, slots=4,
                          device_class="gpu", logical_cpus=2, readable=("/usr",),
                          datasets_dir="/var/cache/d", cpu_cores=1.5, warm_function=False,
                          devices=("/dev/nvidiactl", "/dev/nvidia0"))
    assert ZygoteConfig.from_json(config.to_json()) == config
