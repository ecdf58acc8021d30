import tensorflow as tf

x = tf.Variable(2.0)
with tf.GradientTape() as tape:
    y = x ** 3

slope = None   # TODO: ask the tape

print("y =", y.numpy())
print("slope at x=2:", slope.numpy())
