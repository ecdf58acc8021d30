"""Which spare a run takes: read from the snippet's source by name, never from its comments."""
from __future__ import annotations

import pytest

from contract.job import Job
from contract.spares import COLD, WARM, spare_for

SETUP = """import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 3)
"""


@pytest.mark.parametrize("code", [
    SETUP,
    "import tensorflow as tf\ntf.config.experimental.set_virtual_device_configuration(c, [])\n",
    "import tensorflow as tf\ntf.config.threading.set_inter_op_parallelism_threads(1)\n",
    "import tensorflow as tf\ntf.config.threading.set_intra_op_parallelism_threads(1)\n",
    "import tensorflow as tf\nfor g in tf.config.list_physical_devices('GPU'):\n"
    "    tf.config.experimental.set_memory_growth(g, True)\n",
    "import tensorflow as tf\ntf.config.set_visible_devices([], 'GPU')\n",
    "from tensorflow.config import set_visible_devices\n",
    "from tensorflow.config.threading import set_intra_op_parallelism_threads as threads\n",
    "hide = tf.config.set_visible_devices\n",
])
def test_a_snippet_that_sets_devices_up_takes_a_cold_spare(code: str) -> None:
    kind, reason = spare_for(code)
    assert kind == COLD
    assert reason.startswith("the snippet configures devices")


def test_the_reason_names_the_first_call_and_its_line() -> None:
    assert spare_for(SETUP) == (
        COLD, "the snippet configures devices (set_logical_device_configuration, line 3)")


@pytest.mark.parametrize("code", [
    "print('hi')\n",
    "import tensorflow as tf\nprint(tf.config.list_physical_devices())\n",
    "# tf.config.set_visible_devices([], 'GPU') would hide the GPU\nprint(1)\n",
    "print('call tf.config.set_memory_growth(gpu, True) first')\n",
    '"""tf.config.threading.set_inter_op_parallelism_threads(2)"""\n',
    "tf.config.set_visible_devices(\n",  # a syntax error fails the same in either spare
])
def test_other_snippets_and_mentions_in_comments_or_strings_take_a_warm_one(code: str) -> None:
    assert spare_for(code) == (WARM, "")


def test_the_job_says_which_spare_it_takes() -> None:
    assert Job(code=SETUP).spare()[0] == COLD
    assert Job(code="print(1)").spare() == (WARM, "")
