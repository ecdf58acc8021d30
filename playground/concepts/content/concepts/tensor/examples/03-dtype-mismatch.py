# This snippet fails on purpose: read the error, then fix it with tf.cast.
import tensorflow as tf

counts = tf.constant([1, 2, 3])          # int32
weights = tf.constant([0.5, 0.5, 0.5])   # float32
print(counts * weights)
