import timeit

import tensorflow as tf

def many_small_ops(x):
    for _ in range(100):            # 100 tiny ops: overhead dominates, not arithmetic
        x = x * 0.99 + 0.01
    return x

compiled = tf.function(many_small_ops)
x = tf.constant([1.0, 2.0, 3.0])
compiled(x)                         # trace once before timing

eager_s = timeit.timeit(lambda: many_small_ops(x), number=30) / 30
graph_s = timeit.timeit(lambda: compiled(x), number=30) / 30
print(f"eager: {eager_s * 1e3:.2f} ms per call")
print(f"graph: {graph_s * 1e3:.2f} ms per call")
print(f"speed-up: {eager_s / graph_s:.1f}x")
print("same result:", bool(tf.reduce_all(tf.abs(many_small_ops(x) - compiled(x)) < 1e-5)))
