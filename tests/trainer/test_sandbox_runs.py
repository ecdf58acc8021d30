"""What a learner's snippets get from the real sandbox: errors on the right line, both modes,
logical devices, datasets, cancellation."""
from __future__ import annotations

import time

import pytest

from tests.live import LiveClient
from tests.trainer.test_jail_attacks import done, stderr, stdout

pytestmark = pytest.mark.sandbox


def error_of(record):
    errors = [e for e in record["events"] if e["type"] == "error"]
    assert len(errors) == 1, record["events"]
    return errors[0]


def test_exception_gives_type_message_user_frames_and_line(run_snippet):
    record = run_snippet("def f(x):\n    return 1 / x\n\nprint('before')\nf(0)\n")
    err = error_of(record)
    assert (err["exc_type"], err["message"], err["line"]) == (
        "ZeroDivisionError", "division by zero", 2)
    assert [f["line"] for f in err["traceback"]] == [5, 2]
    assert stdout(record) == "before\n"
    assert done(record)["status"] == "failed"


def test_syntax_error_points_at_its_line(run_snippet):
    err = error_of(run_snippet("x = 1\ny = (2 +\n"))
    assert err["exc_type"] == "SyntaxError" and err["line"] == 2


def test_error_deep_inside_tensorflow_names_the_snippet_line(run_snippet):
    code = ("import tensorflow as tf\na = tf.ones([2, 3])\nb = tf.ones([2, 3])\n"
            "c = tf.matmul(a, b)\n")
    err = error_of(run_snippet(code))
    assert err["exc_type"] == "InvalidArgumentError" and err["line"] == 4


def test_autograph_converts_python_if_on_a_tensor(run_snippet):
    code = """import tensorflow as tf

@tf.function
def relu(x):
    if x > 0:
        return x
    return 0.0 * x

print(relu(tf.constant(-2.0)).numpy(), relu(tf.constant(3.0)).numpy())
"""
    record = run_snippet(code)
    assert stdout(record) == "-0.0 3.0\n", record["events"]


def test_graph_mode_runs_tf1_sessions(run_snippet):
    code = """import tensorflow as tf
x = tf.compat.v1.placeholder(tf.float32, shape=[None])
y = x * 2
with tf.compat.v1.Session() as sess:
    print(sess.run(y, feed_dict={x: [1, 2, 3]}))
print(tf.executing_eagerly())
"""
    record = run_snippet(code, mode="graph")
    assert stdout(record) == "[2. 4. 6.]\nFalse\n", record["events"]


def test_mirrored_strategy_sees_two_replicas(run_snippet):
    code = "import tensorflow as tf\nprint(tf.distribute.MirroredStrategy().num_replicas_in_sync)\n"
    assert stdout(run_snippet(code)).strip().endswith("2")


def test_tpu_resolver_fails_clearly_without_hanging(run_snippet):
    code = """import tensorflow as tf
try:
    tf.distribute.cluster_resolver.TPUClusterResolver(tpu="")
except Exception as exc:
    print("no TPU:", type(exc).__name__)
"""
    record = run_snippet(code)
    assert "no TPU:" in stdout(record) and done(record)["status"] == "succeeded"


def test_fashion_mnist_loads_from_the_cache(run_snippet):
    code = """import tensorflow as tf
(x, y), (xt, yt) = tf.keras.datasets.fashion_mnist.load_data()
print(x.shape, xt.shape, y.max())
"""
    assert stdout(run_snippet(code)) == "(60000, 28, 28) (10000, 28, 28) 9\n"


def test_missing_dataset_names_the_command(run_snippet):
    record = run_snippet("import tensorflow as tf\ntf.keras.datasets.imdb.load_data()\n")
    err = error_of(record)
    assert "python -m trainer datasets pull" in err["message"]
    assert err["exc_type"] == "DatasetNotCached"


def test_cancel_ends_the_run_within_two_seconds_keeping_output(live_client: LiveClient):
    run = live_client.start("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    first = live_client.events(run["id"], limit=2)
    assert [e["type"] for e in first] == ["status", "stdout"]
    asked = time.monotonic()
    assert live_client.post(f"/api/runs/{run['id']}/cancel").status_code == 202
    rest = live_client.follow(run["id"], after=2)
    assert time.monotonic() - asked < 2.5
    assert rest[-1]["type"] == "done" and rest[-1]["status"] == "cancelled"
    record = live_client.record(run["id"])
    assert stdout(record) == "started\n"


def test_stderr_and_exit_codes(run_snippet):
    record = run_snippet("import sys\nprint('oops', file=sys.stderr)\nsys.exit(4)\n")
    assert stderr(record) == "oops\n"
    assert done(record)["status"] == "failed" and done(record)["exit_code"] == 4


def test_the_sandbox_runs_without_onednn_rewrites(run_snippet):
    """The same ops give the same digits on every host, and no spare pays for oneDNN's layout
    pass, even on a CPU where TensorFlow would turn it on by itself."""
    record = run_snippet("from tensorflow.python.util import _pywrap_util_port as port\n"
                         "print(port.IsMklEnabled())\n")
    assert stdout(record) == "False\n"
