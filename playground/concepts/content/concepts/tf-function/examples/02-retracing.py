import tensorflow as tf

@tf.function
def power(x, n):
    return x ** tf.cast(n, x.dtype)

# Python numbers are part of the signature: every new value traces again.
for n in [1, 2, 3]:
    power(tf.constant(2.0), n)
print("python ints   -> traces:", power.experimental_get_tracing_count())

# The same values as tensors: one signature (int32 scalar), so no new trace.
for n in [1, 2, 3]:
    power(tf.constant(2.0), tf.constant(n))
print("int tensors   -> traces:", power.experimental_get_tracing_count())

# New shapes trace too ... unless the signature says the length may vary.
@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
def normalise(v):
    return v / tf.reduce_sum(v)

for length in [2, 3, 4, 5]:
    normalise(tf.ones([length]))
print("any length    -> traces:", normalise.experimental_get_tracing_count())

print("graphs kept for power:", len(power.pretty_printed_concrete_signatures().split("\n\n")))
