# The whole idea of TensorFlow in a dozen lines: compute, differentiate, update.
# We recover w = 2 and b = 1 from points on the line y = 2x + 1.
import tensorflow as tf

x = tf.linspace(-1.0, 1.0, 50)
y = 2.0 * x + 1.0

w = tf.Variable(0.0)
b = tf.Variable(0.0)
learning_rate = 0.5

for step in range(60):
    with tf.GradientTape() as tape:
        prediction = w * x + b
        loss = tf.reduce_mean((prediction - y) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(learning_rate * dw)
    b.assign_sub(learning_rate * db)
    if step % 20 == 0:
        print(f"step {step:2d}  loss {loss.numpy():.4f}")

print(f"learned w = {w.numpy():.2f}, b = {b.numpy():.2f}")
