import sys

import tensorflow as tf

@tf.function
def scaled_sum(x):
    print("tracing with", x)                               # Python: only while tracing
    tf.print("running with", x, output_stream=sys.stdout)  # TensorFlow: every call
    return tf.reduce_sum(x) * 2.0

for values in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
    result = scaled_sum(tf.constant(values))
    print("result:", result.numpy())

print("traces:", scaled_sum.experimental_get_tracing_count())
