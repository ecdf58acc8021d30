"""What the zygote does to TensorFlow before it forks must leave it fit to fork.

Run in a fresh interpreter: the test process may already hold TensorFlow's threads.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.sandbox.priming import _SGEMM, _CxxString, symbol_offsets

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, platform
from trainer.sandbox import priming, zygote

def threads():
    return len(os.listdir("/proc/self/task"))

def generated_code():  # anonymous executable mappings: where JIT compilers put their code
    with open("/proc/self/maps") as f:
        return sum(1 for line in f if "x" in line.split()[1] and len(line.split()) < 6)

zygote.preload()
from tensorflow.python.autograph.pyct import inspect_utils
fixed = hasattr(inspect_utils._fix_linecache_record, "__tfpg_original__")
before = threads()
priming.prime_tensorflow("cpu")
import tensorflow as tf
xla_here = priming.register_xla_kernels(tf)
priming.release_free_heap()
zygote.collapse_huge_pages()
after = threads()
pid = os.fork()
if pid == 0:
    import tensorflow as tf

    @tf.function
    def square_plus_one(x):
        if x > 0:
            return x * x + 1
        return x

    @tf.function(jit_compile=True)
    def compiled(x):
        return x * x + 1

    eager = float(tf.reduce_sum(tf.constant([1.0, 2.0]) * 2.0))
    traced = float(square_plus_one(tf.constant(3.0)))
    xla = float(compiled(tf.constant(4.0)))
    square = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    code_before = generated_code()
    product = tf.matmul(square, square).numpy().tolist()
    if platform.machine() == "x86_64" and generated_code() != code_before:
        os._exit(2)  # the first matmul compiled oneDNN's kernels again
    dense = tf.keras.layers.Dense(2, kernel_initializer="ones")(square).numpy().tolist()
    right = (product, dense) == ([[7.0, 10.0], [15.0, 22.0]], [[3.0, 3.0], [7.0, 7.0]])
    os._exit(0 if (eager, traced, xla) == (6.0, 10.0, 17.0) and right else 1)
_, status = os.waitpid(pid, 0)
gemm_here = priming.jit_gemm_kernels(tf)  # after the fork: the child had priming's only
print(json.dumps({"before": before, "after": after, "fixed": fixed,
                  "child": os.waitstatus_to_exitcode(status),
                  "xla_here": xla_here, "gemm_here": gemm_here,
                  "x86_64": platform.machine() == "x86_64"}))
"""


def test_priming_starts_no_thread_and_children_still_compute(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    # oneDNN's rewrites off, as trainer.pool starts the zygote
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT),
           "TF_ENABLE_ONEDNN_OPTS": "0"}
    done = subprocess.run([sys.executable, str(probe)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after"] == result["before"], "priming started a thread, which fork would lose"
    assert result["child"] != 2, "the child's first matmul generated GEMM kernels again"
    assert result["child"] == 0, "a child of the primed process failed to compute"
    # The child's tf.function, in this probe's file on disk, went through the fixed AutoGraph.
    assert result["fixed"]
    # On x86-64 the XLA kernels are registered and oneDNN's GEMM kernels generated before the
    # fork, not skipped.
    assert result["xla_here"] == result["x86_64"]
    assert result["gemm_here"] == result["x86_64"]


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the symbols of an x86-64 build")
def test_symbol_offsets_finds_what_the_library_does_not_export():
    import tensorflow as tf

    path = os.path.join(os.path.dirname(tf.__file__), "libtensorflow_cc.so.2")
    found = symbol_offsets(path, [_SGEMM, b"tfpg_no_such_symbol"])
    assert set(found) == {_SGEMM} and found[_SGEMM] > 0
    assert symbol_offsets(str(ROOT / "README.md"), [_SGEMM]) == {}  # not an ELF file


def test_cxx_string_holds_short_text_inline():
    value = _CxxString.of(b"XLA_CPU_JIT")
    assert value.size == 11 and ctypes.string_at(value.data, value.size) == b"XLA_CPU_JIT"
    with pytest.raises(ValueError):
        _CxxString.of(b"x" * 16)  # 15 characters and the terminator fill the buffer
