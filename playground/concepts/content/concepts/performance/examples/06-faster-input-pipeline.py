# The same loop over a slow pipeline and over a fast one. The Data tab measures each pass as
# the loop runs: examples per second, time per batch, and time spent waiting in next().
import time

import tensorflow as tf


def load(names):
    time.sleep(0.04)   # stands for reading and decoding a batch of files: mostly waiting
    return names


def slow_load(names):
    return tf.py_function(load, [names], tf.int64)


def without_auto_prefetch(ds):
    # tf.data slips a prefetch in by itself; the baseline turns that off to show its cost.
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    return ds.with_options(options)


def train(ds):
    start = time.perf_counter()
    for batch in ds:
        time.sleep(0.02)   # stands for a training step
    return time.perf_counter() - start


baseline = without_auto_prefetch(tf.data.Dataset.range(320).batch(8).map(slow_load))
fast = (tf.data.Dataset.range(320)
        .batch(8)
        .map(slow_load, num_parallel_calls=tf.data.AUTOTUNE)   # several files at once
        .prefetch(tf.data.AUTOTUNE))                           # load while the step runs
slow_s, fast_s = train(baseline), train(fast)
print(f"baseline {slow_s:.2f} s, parallel map + prefetch {fast_s:.2f} s")
print("faster:", fast_s < slow_s)
