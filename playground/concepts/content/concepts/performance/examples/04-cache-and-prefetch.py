import time

import tensorflow as tf

calls = 0

def slow_decode(x):
    global calls
    calls += 1
    time.sleep(0.02)                 # stands in for reading and decoding a file
    return x * 2

def decode(x):
    return tf.py_function(slow_decode, [x], tf.int64)

def run_two_epochs(ds):
    global calls
    calls = 0
    start = time.perf_counter()
    for _ in range(2):
        for _ in ds:
            pass
    return calls, time.perf_counter() - start

source = tf.data.Dataset.range(10)
plain = source.map(decode)
cached = source.map(decode).cache().prefetch(tf.data.AUTOTUNE)
parallel = source.map(decode, num_parallel_calls=4)

n, s = run_two_epochs(plain)
print(f"plain   : decode called {n} times, {s:.2f} s")
n, s = run_two_epochs(cached)
print(f"cached  : decode called {n} times, {s:.2f} s")
n, s = run_two_epochs(parallel)
print(f"parallel: decode called {n} times, {s:.2f} s")
