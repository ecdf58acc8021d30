import tensorflow as tf

def safe_inverse(x):
    return tf.cond(tf.abs(x) > 1e-6, lambda: 1.0 / x, lambda: tf.constant(0.0))

print("inverse of 4:", safe_inverse(tf.constant(4.0)).numpy())
print("inverse of 0:", safe_inverse(tf.constant(0.0)).numpy())

# Collatz: halve even numbers, map odd n to 3n + 1, count the steps to reach 1.
def collatz_steps(n):
    def keep_going(n, steps):
        return n != 1

    def one_step(n, steps):
        n = tf.cond(n % 2 == 0, lambda: n // 2, lambda: 3 * n + 1)
        return n, steps + 1

    _, steps = tf.while_loop(keep_going, one_step, [n, tf.constant(0)])
    return steps

for start in [6, 7, 27]:
    print(f"collatz({start}) takes {collatz_steps(tf.constant(start)).numpy()} steps")
