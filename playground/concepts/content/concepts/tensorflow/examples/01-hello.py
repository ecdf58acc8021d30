import tensorflow as tf

print("TensorFlow", tf.__version__)
print("devices:", [d.name for d in tf.config.list_logical_devices()])

# A tensor, an operation on it, and a result you can read straight away.
x = tf.constant([1.0, 2.0, 3.0])
print("x * 10 =", (x * 10).numpy())
print("sum:", tf.reduce_sum(x).numpy())
