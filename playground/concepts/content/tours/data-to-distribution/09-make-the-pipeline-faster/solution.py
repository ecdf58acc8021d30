import time

import tensorflow as tf


def load(names):
    time.sleep(0.04)   # reading and decoding a batch of files: mostly waiting, little CPU
    return names


def slow_load(names):
    return tf.py_function(load, [names], tf.int64)


def without_auto_prefetch(ds):
    # tf.data slips a prefetch in by itself; the baseline turns that off to show its cost.
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    return ds.with_options(options)


def train(ds):
    for batch in ds:
        time.sleep(0.02)   # one training step


# The baseline: one batch of files after another, and nothing loads while a step runs.
baseline = without_auto_prefetch(tf.data.Dataset.range(320).batch(8).map(slow_load))
train(baseline)

# Several batches load at once, and the next one is ready when a step ends.
mine = (tf.data.Dataset.range(320)
        .batch(8)
        .map(slow_load, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE))
train(mine)
print("trained on both pipelines")
