# In eager mode you can watch a training loop from the inside, step by step.
import tensorflow as tf

tf.random.set_seed(0)
x = tf.random.normal([64, 3])
true_w = tf.constant([[1.0], [-2.0], [0.5]])
y = x @ true_w

w = tf.Variable(tf.zeros([3, 1]))
for step in range(1, 6):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((x @ w - y) ** 2)
    grad = tape.gradient(loss, w)
    # Any Python you like, right in the middle of the computation:
    print(f"step {step}: loss={loss.numpy():.3f} |grad|={tf.norm(grad).numpy():.3f}")
    w.assign_sub(0.3 * grad)

print("loss went down:", bool(loss < 1.0))
