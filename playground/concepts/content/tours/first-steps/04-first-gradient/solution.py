import tensorflow as tf

x = tf.Variable(2.0)
with tf.GradientTape() as tape:
    y = x ** 3

slope = tape.gradient(y, x)

print("y =", y.numpy())
print("slope at x=2:", slope.numpy())
