# This example runs with "Compare with eager": the playground runs it twice, the second time with
# every tf.function running eagerly, and the Timing tab compares each function's calls.
import tensorflow as tf


@tf.function
def tiny(x):
    return x * 2.0 + 1.0            # two small ops: the cost of calling the graph dominates


@tf.function
def busy(x):
    for _ in tf.range(40):          # the loop stays inside the graph: one call, 120 ops
        x = tf.tanh(x @ x) * 0.5
    return x


small = tf.constant(1.0)
matrix = tf.random.stateless_normal([64, 64], seed=[1, 2]) * 0.1
for _ in range(200):
    tiny(small)
for _ in range(20):
    busy(matrix)

print("functions ran", "eagerly" if tf.config.functions_run_eagerly() else "as graphs")
