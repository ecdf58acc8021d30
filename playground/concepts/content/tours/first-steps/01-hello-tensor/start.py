import tensorflow as tf

m = tf.constant([[1, 2, 3], [4, 5, 6]])
print("value:\n", m.numpy())
print("shape:", m.shape)
print("rank :", m.ndim)
print("dtype:", m.dtype.name)

x = tf.constant(3.5)
print("a scalar has shape", x.shape, "and dtype", x.dtype.name)
