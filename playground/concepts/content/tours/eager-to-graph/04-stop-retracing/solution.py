import tensorflow as tf

@tf.function
def scale(x, factor):
    return x * factor

x = tf.constant([1.0, 4.0])
for factor in [0.5, 1.5, 2.5, 3.5]:
    print(scale(x, tf.constant(factor)).numpy())

print("traces:", scale.experimental_get_tracing_count())
