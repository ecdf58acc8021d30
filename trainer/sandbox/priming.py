"""What the zygote does to TensorFlow before it forks, so that no spare does it again.

TensorFlow builds several process-wide tables the first time they are used. In a spare that is
its first op, on every run: these took 12-15 ms of CPU per spare (the zygote's CPU per run in
bench/run_path.py, docs/architecture.md). Each one here starts no thread (fork would lose it,
with any lock it held: tests/trainer/test_zygote_priming.py checks) and survives the fork as
plain memory.
"""
from __future__ import annotations

import ctypes
import mmap
import os
import platform
import struct
from typing import Any

# tensorflow::XlaOpRegistry's static methods taking a `const std::__cxx11::string&` (and a bool).
# The mangled names spell out the argument types, so a build with another string type simply
# lacks them.
_XLA_REGISTRY = ("_ZN10tensorflow13XlaOpRegistry{}"
                 "ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE{}")
# oneDNN's dnnl::impl::cpu::extended_sgemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta,
# c, ldc, bias, force_jit_nocopy_gemm), linked into TensorFlow but not exported.
_SGEMM = b"_ZN4dnnl4impl3cpu14extended_sgemmEPKcS3_PKlS5_S5_PKfS7_S5_S7_S5_S7_PfS5_S7_b"
_ELF_SYMBOL = [("name", "<u4"), ("info", "u1"), ("other", "u1"), ("shndx", "<u2"),
               ("value", "<u8"), ("size", "<u8")]
SHT_SYMTAB = 2


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


def symbol_offsets(path: str, names: list[bytes]) -> dict[bytes, int]:
    """The offsets in the shared library at `path` of those `names` its full symbol table
    (.symtab, which also lists the symbols it does not export) holds."""
    import numpy as np

    found: dict[bytes, int] = {}
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as image:
        if image[:6] != b"\x7fELF\x02\x01":  # 64-bit, little-endian: the layout read below
            return found
        (table_at,) = struct.unpack_from("<Q", image, 0x28)
        entry_size, count = struct.unpack_from("<HH", image, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", image, table_at + i * entry_size)
                    for i in range(count)]
        symtab = next((s for s in sections if s[1] == SHT_SYMTAB), None)
        if symtab is None:
            return found
        strtab = sections[symtab[6]]
        symbols = np.frombuffer(image, dtype=np.dtype(_ELF_SYMBOL),
                                count=symtab[5] // 24, offset=symtab[4])
        for name in names:
            at = image.find(b"\0" + name + b"\0", strtab[4], strtab[4] + strtab[5])
            if at < 0:
                continue
            hits = np.flatnonzero(symbols["name"] == at + 1 - strtab[4])
            if hits.size:
                found[name] = int(symbols["value"][hits[0]])
        del symbols  # the map cannot close while a view of it lives
    return found


def jit_gemm_kernels(tf: Any) -> bool:
    """Generate oneDNN's float GEMM kernels now (~20 ms), not at each child's first matmul.

    TensorFlow's CPU MatMul (and Dense layers, every Keras fit) multiplies through oneDNN's
    sgemm, which JIT-compiles all its kernels the first time; the generated code is plain
    memory a fork keeps. A 2x2 product through `extended_sgemm` does it: no TF op, and with no
    thread pool given, oneDNN computes in the calling thread. Its address is the library's load
    address (an exported symbol's, less that symbol's offset) plus its offset. x86-64 only.
    Returns whether the kernels were generated here.
    """
    if platform.machine() != "x86_64":
        return False
    path = os.path.join(os.path.dirname(tf.__file__), "libtensorflow_cc.so.2")
    anchor = _XLA_REGISTRY.format("19IsBackendRegistered", "")
    try:
        exported = ctypes.cast(getattr(ctypes.CDLL(path), anchor), ctypes.c_void_p).value
        offsets = symbol_offsets(path, [anchor.encode(), _SGEMM])
    except (OSError, AttributeError, ValueError, struct.error):
        return False
    if exported is None or len(offsets) != 2:
        return False
    base = exported - offsets[anchor.encode()]
    return _square_through_sgemm(base + offsets[_SGEMM])


def _square_through_sgemm(address: int) -> bool:
    """[[1, 3], [2, 4]] squared (column-major) by extended_sgemm at `address`; True if right."""
    pointer = ctypes.c_void_p
    sgemm = ctypes.CFUNCTYPE(ctypes.c_int, *[pointer] * 14, ctypes.c_bool)(address)
    size, one, zero = ctypes.c_long(2), ctypes.c_float(1.0), ctypes.c_float(0.0)
    a, c = (ctypes.c_float * 4)(1, 2, 3, 4), (ctypes.c_float * 4)()
    plain = ctypes.c_char_p(b"N")
    status = sgemm(plain, plain, ctypes.byref(size), ctypes.byref(size), ctypes.byref(size),
                   ctypes.byref(one), a, ctypes.byref(size), a, ctypes.byref(size),
                   ctypes.byref(zero), c, ctypes.byref(size), None, False)
    return status == 0 and list(c) == [7.0, 10.0, 15.0, 22.0]


def prime_tensorflow(device_class: str) -> None:
    """Fill TensorFlow's lazy tables that a spare's first op would otherwise build.

    The dump of the whole op registry that the first lookup of an unknown op name makes (every
    eager op looks one up, as it runs wrapped in a function), the kernel registry, XLA's
    compilation kernels, oneDNN's GEMM kernels, and on CPU hosts the device factories' flags.
    Listing devices on a GPU or TPU host would start its driver, which a fork cannot carry:
    there each child lists them.
    """
    import tensorflow as tf
    from tensorflow.python.framework import kernels, op_def_registry

    op_def_registry.get("TfpgNoSuchOp")
    kernels.get_registered_kernels_for_op("Const")
    register_xla_kernels(tf)
    jit_gemm_kernels(tf)
    if device_class == "cpu":
        tf.config.list_physical_devices("CPU")


def release_free_heap() -> None:
    """Merge the heap's free chunks and hand whole free pages back, before any fork.

    Otherwise each child's first allocations merge the zygote's free lists again, writing to (and
    so copying) pages all over the shared heap.
    """
    ctypes.CDLL(None).malloc_trim(0)
