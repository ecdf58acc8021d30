"""What the zygote does to TensorFlow before it forks must leave it fit to fork.

Run in a fresh interpreter: the test process may already hold TensorFlow's threads.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os
from trainer.sandbox import zygote

def threads():
    return len(os.listdir("/proc/self/task"))

zygote.preload()
before = threads()
zygote.prime_tensorflow("cpu")
zygote.release_free_heap()
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

    eager = float(tf.reduce_sum(tf.constant([1.0, 2.0]) * 2.0))
    traced = float(square_plus_one(tf.constant(3.0)))
    os._exit(0 if (eager, traced) == (6.0, 10.0) else 1)
_, status = os.waitpid(pid, 0)
print(json.dumps({"before": before, "after": after, "child": os.waitstatus_to_exitcode(status)}))
"""


def test_priming_starts_no_thread_and_children_still_compute(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(probe)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after"] == result["before"], "priming started a thread, which fork would lose"
    assert result["child"] == 0
