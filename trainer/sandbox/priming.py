"""What the zygote does to TensorFlow before it forks, so that no spare does it again.

TensorFlow builds several process-wide tables the first time they are used. In a spare that is
its first op, on every run: these took 12-15 ms of CPU per spare (the zygote's CPU per run in
bench/run_path.py, docs/architecture.md). Each one here starts no thread (fork would lose it,
with any lock it held: tests/trainer/test_zygote_priming.py checks) and survives the fork as
plain memory.
"""
from __future__ import annotations

import ctypes
import os
import platform
from typing import Any

# tensorflow::XlaOpRegistry's static methods taking a `const std::__cxx11::string&` (and a bool).
# The mangled names spell out the argument types, so a build with another string type simply
# lacks them.
_XLA_REGISTRY = ("_ZN10tensorflow13XlaOpRegistry{}"
                 "ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE{}")


class _CxxString(ctypes.Structure):
    """libstdc++'s std::string holding a short text in its own buffer: pointer, length, buffer."""

    _fields_ = [("data", ctypes.c_void_p), ("size", ctypes.c_size_t), ("buf", ctypes.c_char * 16)]

    @classmethod
    def of(cls, text: bytes) -> _CxxString:
        if len(text) >= 16:
            raise ValueError("only short strings fit in the inline buffer")
        value = cls()
        value.buf = text
        value.size = len(text)
        value.data = ctypes.addressof(value) + cls.buf.offset  # type: ignore[attr-defined]
        return value


def register_xla_kernels(tf: Any) -> bool:
    """Register XLA's compilation kernels now (~4 ms), not in each spare's first op.

    Every eager op runs wrapped in a function, whose graph passes include XLA's clustering, which
    first registers a kernel for each op XLA can compile. `XlaOpRegistry::DeviceKernels` does that
    registration before listing a backend's kernels; it is exported, not bound in Python, so it
    is called through ctypes. Only on x86-64, where a returned std::vector's hidden pointer is
    the first argument, and only when the CPU backend is registered (otherwise it would abort).
    Returns whether the kernels were registered here.
    """
    if platform.machine() != "x86_64":
        return False
    try:
        lib = ctypes.CDLL(os.path.join(os.path.dirname(tf.__file__), "libtensorflow_cc.so.2"))
        is_registered = getattr(lib, _XLA_REGISTRY.format("19IsBackendRegistered", ""))
        device_kernels = getattr(lib, _XLA_REGISTRY.format("13DeviceKernels", "b"))
    except (OSError, AttributeError):
        return False
    backend = _CxxString.of(b"XLA_CPU_JIT")
    is_registered.argtypes = [ctypes.c_void_p]
    is_registered.restype = ctypes.c_bool
    if not is_registered(ctypes.addressof(backend)):
        return False
    device_kernels.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_bool]
    device_kernels.restype = ctypes.c_void_p
    listed = (ctypes.c_void_p * 3)()  # the returned vector (begin, end, capacity): left as is
    device_kernels(ctypes.addressof(listed), ctypes.addressof(backend), False)
    return True


def prime_tensorflow(device_class: str) -> None:
    """Fill TensorFlow's lazy tables that a spare's first op would otherwise build.

    The dump of the whole op registry that the first lookup of an unknown op name makes (every
    eager op looks one up, as it runs wrapped in a function), the kernel registry, XLA's
    compilation kernels, and on CPU hosts the device factories' flags. Listing devices on a GPU
    or TPU host would start its driver, which a fork cannot carry: there each child lists them.
    """
    import tensorflow as tf
    from tensorflow.python.framework import kernels, op_def_registry

    op_def_registry.get("TfpgNoSuchOp")
    kernels.get_registered_kernels_for_op("Const")
    register_xla_kernels(tf)
    if device_class == "cpu":
        tf.config.list_physical_devices("CPU")


def release_free_heap() -> None:
    """Merge the heap's free chunks and hand whole free pages back, before any fork.

    Otherwise each child's first allocations merge the zygote's free lists again, writing to (and
    so copying) pages all over the shared heap.
    """
    ctypes.CDLL(None).malloc_trim(0)
