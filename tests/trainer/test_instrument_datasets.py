"""The tf.data inspector: stages with their arguments and specs, previews with thumbnails,
throughput measured on the snippet's own iteration, map graphs, fit's steps, augment grids."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet

__all__ = ["instrument", "recorder"]

PIPELINE = """import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
images = rng.integers(0, 256, (600, 28, 28), dtype=np.uint8)
labels = rng.integers(0, 10, 600)

def normalise(image, label):
    return tf.cast(image, tf.float32) / 255.0, label

ds = tf.data.Dataset.from_tensor_slices((images, labels))
ds = ds.map(normalise, num_parallel_calls=tf.data.AUTOTUNE)
ds = ds.shuffle(128, seed=1)
ds = ds.batch(32)
ds = ds.prefetch(tf.data.AUTOTUNE)
batches = 0
for x, y in ds:
    batches += 1
print("batches:", batches)
"""


def _stages(event: dict[str, Any]) -> list[tuple[str, int | None]]:
    return [(s["op"], s.get("line")) for s in event["stages"]]


def test_a_pipeline_shows_its_stages_args_and_specs(recorder: Recorder,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    run_snippet(PIPELINE)

    (dataset,) = recorder.of("dataset")
    assert _stages(dataset) == [("from_tensor_slices", 11), ("map", 12), ("shuffle", 13),
                                ("batch", 14), ("prefetch", 15)]
    assert [s["kind"] for s in dataset["stages"]] == ["source", "map", "shuffle", "batch",
                                                      "prefetch"]
    source, mapped, shuffled, batched, prefetched = dataset["stages"]
    assert source["args"]["tensors"] == "(uint8[600,28,28], int64[600])"
    assert source["spec_text"] == "(uint8[28,28], int64[])"
    assert mapped["args"] == {"num_parallel_calls": "AUTOTUNE"}
    assert mapped["spec_text"] == "(float32[28,28], int64[])"
    assert mapped["function"] == "map: normalise"
    assert shuffled["args"]["buffer_size"] == 128
    assert batched["args"]["batch_size"] == 32
    assert batched["spec"][0] == {"path": "0", "dtype": "float32", "shape": [None, 28, 28]}
    assert prefetched["args"] == {"buffer_size": "AUTOTUNE"}
    assert dataset["consumer"] == "for" and dataset["line"] == 17
    # Silent: the snippet's own output only.
    assert capfd.readouterr() == ("batches: 19\n", "")


def test_the_map_function_opens_as_a_graph(recorder: Recorder) -> None:
    run_snippet(PIPELINE)

    (graph,) = recorder.of("graph", function="map: normalise")
    ops = {n["op"] for n in graph["nodes"]}
    assert {"Cast", "RealDiv"} <= ops or {"Cast", "Mul"} <= ops
    assert any(n.get("line") == 9 for n in graph["nodes"])


def test_the_first_batch_is_previewed_as_thumbnails_and_numbers(recorder: Recorder) -> None:
    run_snippet(PIPELINE)

    (preview,) = recorder.of("dataset_preview")
    assert preview["source"] == "iterated" and preview["batched"] is True
    assert len(preview["elements"]) == 8
    image, label = preview["elements"][0]
    thumb = image["image"]
    assert (thumb["width"], thumb["height"], thumb["channels"]) == (28, 28, 1)
    assert len(base64.b64decode(thumb["data"])) == 28 * 28
    assert 0.0 <= image["min"] <= image["max"] <= 1.0
    assert label["dtype"] == "int64" and isinstance(label["value"], int)


def test_throughput_is_measured_on_the_loop_that_ran(recorder: Recorder) -> None:
    run_snippet(PIPELINE)

    final = [e for e in recorder.of("dataset_stats") if e["final"]]
    assert len(final) == 1
    stats = final[0]
    assert stats["elements"] == 19 and stats["examples"] == 600
    assert stats["per_second"] > 0 and stats["examples_per_second"] > stats["per_second"]
    assert stats["ms_per_element"] == pytest.approx(1000 * stats["seconds"] / 19, rel=0.01)
    assert 0 < stats["wait_ms"] <= stats["ms_per_element"]


def test_the_snippet_sees_the_same_elements_with_and_without_the_inspector(
        instrument: Any) -> None:
    code = PIPELINE.replace('print("batches:", batches)',
                            "total = sum(int(y.numpy().sum()) for _, y in ds)")
    plain = run_snippet(code)["total"]
    instrument()

    assert run_snippet(code)["total"] == plain


def test_an_unbatched_loop_previews_what_it_took_and_a_break_still_ends_it(
        recorder: Recorder) -> None:
    run_snippet("import tensorflow as tf\n"
                "ds = tf.data.Dataset.range(100).map(lambda i: i * 2)\n"
                "for i, v in enumerate(ds):\n"
                "    if i == 2:\n"
                "        break\n")
    recorder.instrumentation.finish()  # type: ignore[attr-defined]

    (preview,) = recorder.of("dataset_preview")
    assert [row[0]["value"] for row in preview["elements"]] == [0, 2, 4]
    (stats,) = [e for e in recorder.of("dataset_stats") if e["final"]]
    assert stats["elements"] == 3 and "examples" not in stats


def test_next_of_iter_and_take_are_iterations_too(recorder: Recorder) -> None:
    run_snippet("import tensorflow as tf\n"
                "ds = tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]])\n"
                "first = next(iter(ds))\n"
                "for row in ds.take(2):\n"
                "    pass\n")
    recorder.instrumentation.finish()  # type: ignore[attr-defined]

    datasets = recorder.of("dataset")
    assert [_stages(d)[-1] for d in datasets] == [("from_tensor_slices", 2), ("take", 4)]
    assert datasets[1]["stages"][-1]["args"] == {"count": 2}
    previews = {e["id"]: e for e in recorder.of("dataset_preview")}
    assert previews[1]["elements"][0][0]["values"] == [1, 2]


FIT = """import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).random((256, 8, 8, 1)).astype("float32")
y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("float32")
train = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=0).batch(32)
model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.RandomFlip("horizontal"),
                          keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
model.compile("adam", "binary_crossentropy")
model.fit(train, epochs=2, verbose=0)
model.evaluate(train, verbose=0)
"""


def test_fit_and_evaluate_are_timed_per_epoch_with_a_sampled_preview(
        recorder: Recorder) -> None:
    run_snippet(FIT)

    (dataset,) = recorder.of("dataset")
    assert dataset["consumer"] == "fit" and dataset["line"] == 12
    (preview,) = recorder.of("dataset_preview")
    assert preview["source"] == "sampled" and preview["batched"] is True
    assert preview["elements"][0][0]["image"]["width"] == 8
    final = [(e["consumer"], e["iteration"], e["elements"], e.get("examples"))
             for e in recorder.of("dataset_stats") if e["final"]]
    assert final == [("fit", 1, 8, 256), ("fit", 2, 8, 256), ("evaluate", 3, 8, 256)]


def test_a_model_that_starts_with_augmentation_gets_a_before_after_grid(
        recorder: Recorder) -> None:
    run_snippet(FIT)

    (grid,) = [e for e in recorder.of("augment") if e["kind"] == "model"]
    assert grid["function"].endswith("RandomFlip") and grid["line"] == 12
    assert len(grid["samples"]) == 4
    sample = grid["samples"][0]
    assert sample["before"]["width"] == sample["after"]["width"] == 8


def test_an_augmentation_layer_called_on_images_shows_them_before_and_after(
        recorder: Recorder) -> None:
    run_snippet("import numpy as np\nimport keras\n"
                "aug = keras.Sequential([keras.layers.RandomFlip('horizontal'),\n"
                "                        keras.layers.RandomRotation(0.2)])\n"
                "images = np.random.default_rng(0).random((6, 32, 32, 3)).astype('float32')\n"
                "out = aug(images, training=True)\n"
                "again = aug(images, training=True)\n")

    (grid,) = recorder.of("augment")
    assert grid["kind"] == "layer" and grid["line"] == 6
    assert len(grid["samples"]) == 4
    assert grid["samples"][0]["after"]["channels"] == 3


def test_the_augmented_values_are_those_without_the_inspector(instrument: Any) -> None:
    code = FIT + "out = model.predict(x[:4], verbose=0)\n"
    plain = run_snippet(code)["out"]
    instrument()

    np.testing.assert_array_equal(run_snippet(code)["out"], plain)


def test_a_map_over_images_gets_a_grid(recorder: Recorder) -> None:
    run_snippet("import numpy as np\nimport tensorflow as tf\n"
                "x = np.random.default_rng(0).random((16, 12, 12, 3)).astype('float32')\n"
                "ds = tf.data.Dataset.from_tensor_slices(x).map(tf.image.flip_left_right)\n"
                "for image in ds.batch(4):\n"
                "    pass\n")

    (grid,) = [e for e in recorder.of("augment") if e["kind"] == "map"]
    assert grid["function"] == "map: flip_left_right" and grid["line"] == 4
    before = np.frombuffer(base64.b64decode(grid["samples"][0]["before"]["data"]), np.uint8)
    after = np.frombuffer(base64.b64decode(grid["samples"][0]["after"]["data"]), np.uint8)
    np.testing.assert_array_equal(after.reshape(12, 12, 3), before.reshape(12, 12, 3)[:, ::-1])


def test_sampling_leaves_the_options_of_function_calls_as_they_were(recorder: Recorder) -> None:
    import tensorflow as tf
    from tensorflow.python.eager import context

    options = context.context().function_call_options
    config = options.config_proto_serialized
    experimental = tf.config.optimizer.get_experimental_options()

    run_snippet("import numpy as np\nimport tensorflow as tf\n"
                "x = np.ones((8, 12, 12, 3), 'float32')\n"
                "ds = tf.data.Dataset.from_tensor_slices(x).map(tf.image.flip_up_down)\n"
                "for image in ds.batch(4):\n"
                "    pass\n")

    assert [e["kind"] for e in recorder.of("augment")] == ["map"]  # the map was sampled
    assert context.context().function_call_options is options
    assert options.config_proto_serialized == config
    assert tf.config.optimizer.get_experimental_options() == experimental


def test_a_map_calling_python_is_not_run_again(recorder: Recorder) -> None:
    namespace = run_snippet(
        "import tensorflow as tf\ncalls = []\n"
        "def note(x):\n    calls.append(1)\n    return x\n"
        "ds = tf.data.Dataset.range(3).map(lambda i: tf.py_function(note, [i], tf.int64))\n"
        "for v in ds:\n    pass\n")

    assert len(namespace["calls"]) == 3
    assert recorder.of("augment") == []


def test_pipelines_over_the_cap_say_so_once(instrument: Any) -> None:
    from contract.limits import Limits

    capped = instrument(limits=Limits(data_pipelines=2))
    run_snippet("import tensorflow as tf\n"
                "for n in range(5):\n"
                "    for v in tf.data.Dataset.range(n + 1):\n"
                "        pass\n")

    events = capped.of("dataset")
    assert [e["id"] for e in events] == [1, 2, 0]
    assert "as many pipelines" in events[-1]["note"]


def test_a_large_preview_stays_under_its_byte_cap(instrument: Any) -> None:
    from contract.limits import Limits

    capped = instrument(limits=Limits(data_event_bytes=20_000))
    run_snippet("import numpy as np\nimport tensorflow as tf\n"
                "x = np.random.default_rng(0).random((64, 64, 64, 3)).astype('float32')\n"
                "for batch in tf.data.Dataset.from_tensor_slices(x).batch(16):\n"
                "    pass\n")

    (preview,) = capped.of("dataset_preview")
    assert len(json.dumps(preview)) <= 20_000 and preview["note"]


def test_a_snippet_without_datasets_sends_nothing_of_them(recorder: Recorder) -> None:
    run_snippet("import tensorflow as tf\nprint(tf.reduce_sum(tf.ones([3])).numpy())\n")

    kinds = {e["type"] for e in recorder.events}
    assert not kinds & {"dataset", "dataset_preview", "dataset_stats", "augment", "replicas",
                        "replica_step", "instrument_error"}


def test_sampling_and_grids_write_nothing_to_the_terminal(
        recorder: Recorder, capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    run_snippet("import numpy as np\nimport tensorflow as tf\nimport keras\n"
                "augment = keras.Sequential([keras.layers.RandomFlip('horizontal'),\n"
                "                            keras.layers.RandomRotation(0.2)])\n"
                "x = np.random.default_rng(0).random((64, 16, 16, 1)).astype('float32')\n"
                "ds = (tf.data.Dataset.from_tensor_slices(x).batch(8)\n"
                "      .map(lambda b: augment(b, training=True)).prefetch(2))\n"
                "for batch in ds:\n"
                "    pass\n")

    assert [e["kind"] for e in recorder.of("augment")] == ["map"]
    assert recorder.of("dataset_preview")[0]["source"] == "iterated"
    # Neither Python's streams nor the file descriptors TensorFlow's own logging writes to.
    assert capfd.readouterr() == ("", "")


def test_the_same_pipeline_made_in_every_epoch_is_one_pipeline_iterated_again(
        recorder: Recorder) -> None:
    run_snippet("import tensorflow as tf\n"
                "ds = tf.data.Dataset.range(10).batch(2)\n"
                "for epoch in range(3):\n"
                "    for batch in ds.take(2):\n"
                "        pass\n")

    (dataset,) = recorder.of("dataset")
    assert [s["op"] for s in dataset["stages"]] == ["range", "batch", "take"]
    final = [(e["id"], e["iteration"], e["elements"]) for e in recorder.of("dataset_stats")
             if e["final"]]
    assert final == [(1, 1, 2), (1, 2, 2), (1, 3, 2)]


def test_sampling_slices_batches_and_unbatches_plain_arrays_without_running_ops(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tensorflow as tf
    from tensorflow.python.framework import tensor as tensor_lib

    from trainer.instrument import pipeline, sampler

    features = np.arange(12, dtype="float32").reshape(6, 2)
    words = np.array([b"a", b"b", b"c", b"d", b"e", b"f"])
    source = tf.data.Dataset.from_tensor_slices((features, words))
    batched = source.batch(4, drop_remainder=True)
    chain = [(source, pipeline.Call("from_tensor_slices", None, {}, 1)),
             (batched, pipeline.Call("batch", None, {"batch_size": 4,
                                                     "drop_remainder": True}, 2)),
             (batched.unbatch(), pipeline.Call("unbatch", None, {}, 3))]

    def no_op(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a TF op ran")

    # Slicing and stacking ops each cost milliseconds on their first use in a run.
    monkeypatch.setattr(tensor_lib.Tensor, "__getitem__", no_op)
    monkeypatch.setattr(tf, "stack", no_op)
    rows, (batch,), again = sampler.sample(chain, 2)
    assert rows[1][0].numpy().tolist() == [2.0, 3.0] and rows[1][1].numpy() == b"b"
    assert batch[0].numpy().tolist() == features[:4].tolist()
    assert batch[1].dtype == tf.string and batch[1].shape == (4,)
    assert [(x.numpy().tolist(), y.numpy()) for x, y in again] == [
        (r[0].numpy().tolist(), r[1].numpy()) for r in rows[:4]]


def test_sampling_a_ragged_source_still_slices_it() -> None:
    import tensorflow as tf

    from trainer.instrument import pipeline, sampler

    source = tf.data.Dataset.from_tensor_slices(tf.ragged.constant([[1, 2], [3], [4, 5, 6]]))
    chain = [(source, pipeline.Call("from_tensor_slices", None, {}, 1))]
    (rows,) = sampler.sample(chain, 2)
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3]]


def test_a_loop_over_a_pipeline_without_an_image_map_is_previewed_without_sampling(
        recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    from trainer.instrument import sampler

    sampled: list[Any] = []
    original = sampler.sample
    monkeypatch.setattr(sampler, "sample", lambda *args: sampled.append(args) or original(*args))
    run_snippet("import tensorflow as tf\n"
                "ds = tf.data.Dataset.range(10).map(lambda x: x * 2).batch(4)\n"
                "for batch in ds:\n"
                "    pass\n")

    assert not sampled
    (preview,) = recorder.of("dataset_preview")
    assert preview["source"] == "iterated"
    assert [e[0]["value"] for e in preview["elements"]] == [0, 2, 4, 6]
    assert not recorder.of("instrument_error")


def test_a_pipeline_a_loop_took_first_is_sampled_when_keras_fits_it(recorder: Recorder) -> None:
    run_snippet(FIT.replace("model.fit(", "for batch in train.take(1):\n    pass\nmodel.fit("))

    (grid,) = [e for e in recorder.of("augment") if e["kind"] == "model"]
    assert grid["function"].endswith("RandomFlip") and len(grid["samples"]) == 4
    assert not recorder.of("instrument_error")


def test_specs_that_may_hold_images_are_told_from_those_that_cannot() -> None:
    import tensorflow as tf

    from trainer.instrument.elements import spec_may_hold_images

    def spec(*shape: int | None, dtype: Any = tf.float32) -> Any:
        return tf.TensorSpec(shape, dtype)

    assert spec_may_hold_images((spec(28, 28), spec(dtype=tf.int64)))
    assert spec_may_hold_images(spec(None, 32, 32, 3))
    assert spec_may_hold_images(spec(None, None, None))
    assert spec_may_hold_images(spec(None, None, None, None))
    assert spec_may_hold_images(tf.TensorSpec(None, tf.uint8))
    assert not spec_may_hold_images((spec(2), spec(dtype=tf.int64)))
    assert not spec_may_hold_images(spec(None, 4))
    assert not spec_may_hold_images(spec(28, 28, dtype=tf.string))
