import tensorflow as tf

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x ** 2 + 2 * x          # dy/dx = 2x + 2
print("dy/dx at x=3:", tape.gradient(y, x).numpy())

# The chain rule through several ops: z = sin(x^2), dz/dx = cos(x^2) * 2x
x = tf.Variable(0.5)
with tf.GradientTape() as tape:
    z = tf.sin(x ** 2)
auto = tape.gradient(z, x).numpy()
by_hand = (tf.cos(0.25) * 2 * 0.5).numpy()
print(f"tape: {auto:.6f}  by hand: {by_hand:.6f}")
