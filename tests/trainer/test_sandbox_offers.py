"""What the sandbox gives a snippet that plain TensorFlow would: its own device set-up (a spare
whose TensorFlow has not started), the usual libraries, tensorflow-datasets with no network,
and standard input. Through the public contract, on the real stack."""
from __future__ import annotations

import pytest

from tests.trainer.test_jail_attacks import done, stderr, stdout
from tests.trainer.test_sandbox_runs import error_of

pytestmark = pytest.mark.sandbox

DEVICE_SETUP = """import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 3)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)
print(len(tf.config.list_logical_devices("CPU")),
      tf.config.threading.get_intra_op_parallelism_threads())
print(tf.distribute.MirroredStrategy().num_replicas_in_sync)
"""
LIBRARIES = ("pandas", "sklearn", "PIL.Image", "matplotlib.pyplot", "tensorflow_datasets")


def runtime(record: dict) -> dict:
    return next(e["runtime"] for e in record["events"] if e["type"] == "status" and
                e.get("runtime"))


def test_a_snippet_that_sets_devices_up_gets_a_tensorflow_not_started(run_snippet):
    record = run_snippet(DEVICE_SETUP)
    assert stdout(record).splitlines()[-2:] == ["3 1", "3"], record["events"]
    ran = runtime(record)
    assert ran["spare"] == "cold"
    assert ran["spare_reason"] == ("the snippet configures devices "
                                   "(set_logical_device_configuration, line 3)")


def test_other_snippets_and_mentions_in_comments_take_a_warm_spare(run_snippet):
    code = ("# tf.config.set_logical_device_configuration(...) would come first\n"
            "import tensorflow as tf\nprint(len(tf.config.list_logical_devices('CPU')))\n")
    record = run_snippet(code)
    assert stdout(record) == "2\n"  # the warm spare's split for MirroredStrategy
    assert runtime(record)["spare"] == "warm" and "spare_reason" not in runtime(record)


def test_set_up_after_the_first_op_says_what_to_do(run_snippet):
    code = ("import tensorflow as tf\nprint(tf.constant(1).numpy())\n"
            "cpu = tf.config.list_physical_devices('CPU')[0]\n"
            "tf.config.set_logical_device_configuration(\n"
            "    cpu, [tf.config.LogicalDeviceConfiguration()] * 3)\n")
    err = error_of(run_snippet(code))
    assert err["line"] == 4 and err["exc_type"] == "RuntimeError"  # the call's first line
    assert err["message"].startswith("Virtual devices cannot be modified after being initialized")
    assert "move the call above" in err["message"]


def test_set_up_the_source_does_not_name_says_why_it_came_too_late(run_snippet):
    code = ("import tensorflow as tf\ncpu = tf.config.list_physical_devices('CPU')[0]\n"
            "setup = getattr(tf.config, 'set_logical_' + 'device_configuration')\n"
            "setup(cpu, [tf.config.LogicalDeviceConfiguration()] * 3)\n")
    err = error_of(run_snippet(code))
    assert "The sandbox had started TensorFlow before this snippet" in err["message"]
    assert "Call them by those names" in err["message"]


def test_thread_pools_past_the_task_limit_are_refused_before_tensorflow_aborts(run_snippet):
    code = ("import tensorflow as tf\ntf.config.threading.set_intra_op_parallelism_threads(40)\n"
            "print(tf.constant(1))\n")
    record = run_snippet(code)
    err = error_of(record)
    assert err["exc_type"] == "ValueError" and err["line"] == 2
    assert "RUN_MAX_TASKS" in err["message"] and "Ask for fewer" in err["message"]
    assert done(record)["status"] == "failed"


def test_the_usual_libraries_work_in_the_sandbox(run_snippet):
    """What they cost to import, against plain Python, is bench/sandbox_offers.py's to measure:
    a timing in a test would fail on a busy machine, not on slow code."""
    record = run_snippet(f"for name in {LIBRARIES!r}:\n    __import__(name)\nprint('imported')\n"
                         + """
import matplotlib.pyplot as plt, numpy as np, pandas as pd
from PIL import Image
from sklearn.linear_model import LinearRegression
frame = pd.DataFrame({"x": np.arange(8.0)})
frame["y"] = 3 * frame.x + 1
model = LinearRegression().fit(frame[["x"]], frame.y)
print(round(model.coef_[0], 3), round(model.intercept_, 3))
from matplotlib.backends.backend_agg import FigureCanvasAgg
plt.plot(frame.x, frame.y)
plt.savefig("line.png")
print(Image.open("line.png").format, isinstance(plt.gcf().canvas, FigureCanvasAgg))
""")
    assert stdout(record).splitlines() == ["imported", "3.0 1.0", "PNG True"], record["events"]
    assert "font cache" not in stderr(record) and "temporary" not in stderr(record)


def test_tensorflow_datasets_loads_a_prepared_dataset_offline(run_snippet):
    code = """import tensorflow_datasets as tfds
test = tfds.load("fashion_mnist", split="test", as_supervised=True)
image, label = next(iter(test))
print(int(test.cardinality()), image.shape, 0 <= int(label) <= 9)
"""
    record = run_snippet(code)
    assert stdout(record) == "10000 (28, 28, 1) True\n", record["events"]


def test_a_dataset_not_prepared_fails_at_once_naming_the_command(run_snippet):
    record = run_snippet("import tensorflow_datasets as tfds\ntfds.load('mnist')\n")
    err = error_of(record)
    assert err["exc_type"] == "DatasetNotCached" and err["line"] == 2
    assert "python -m trainer datasets pull" in err["message"]
    assert "Prepared here: fashion_mnist" in err["message"]
    assert done(record)["duration_ms"] < 10_000


def test_input_reads_the_run_s_stdin_then_ends_with_a_hint(run_snippet):
    code = ("name = input('name? ')\ntimes = int(input())\nprint(f'hello {name}! ' * times)\n"
            "input()\n")
    record = run_snippet(code, stdin="Ada\n2\n")
    assert stdout(record) == "name? hello Ada! hello Ada! \n"
    err = error_of(record)
    assert err["exc_type"] == "EOFError" and err["line"] == 4
    assert "Input box under the editor" in err["message"]


def test_stdin_is_the_whole_text_and_empty_without_one(run_snippet):
    code = "import sys\nprint(repr(sys.stdin.read()))\n"
    assert stdout(run_snippet(code, stdin="1 2\n3\n")) == "'1 2\\n3\\n'\n"
    assert stdout(run_snippet(code)) == "''\n"
