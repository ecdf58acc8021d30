import numpy as np
import tensorflow as tf

print("executing eagerly:", tf.executing_eagerly())

x = tf.constant([[2.0, 0.0], [0.0, 3.0]])
y = tf.matmul(x, x)
print(y)                       # the value is already there
print("as NumPy:", y.numpy().tolist())

# Tensors and NumPy arrays mix freely in eager mode.
print("NumPy on a tensor:", np.sum(y))

# Ordinary Python control flow can look at the values.
if tf.reduce_max(y) > 5:
    print("the largest entry is above 5")
