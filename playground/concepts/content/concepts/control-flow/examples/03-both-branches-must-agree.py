# This snippet fails on purpose. A graph needs `label` whichever branch runs.
# Fix: give `label` a value in an else branch too (or before the if).
import tensorflow as tf

@tf.function
def describe(x):
    if x >= 0:
        label = tf.constant("non-negative")
    return label

print(describe(tf.constant(3.0)))
