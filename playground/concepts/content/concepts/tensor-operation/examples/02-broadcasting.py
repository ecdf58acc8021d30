import tensorflow as tf

batch = tf.reshape(tf.range(12, dtype=tf.float32), [4, 3])   # 4 rows of 3 features
bias = tf.constant([100.0, 200.0, 300.0])                     # shape (3,)

shifted = batch + bias            # (4, 3) + (3,) -> (4, 3): bias added to every row
print("shifted shape:", shifted.shape)
print(shifted.numpy())

column = tf.constant([[1.0], [2.0], [3.0], [4.0]])            # shape (4, 1)
print("scaled rows:\n", (batch * column).numpy())             # each row times its own factor

try:
    batch + tf.constant([1.0, 2.0])                            # (4, 3) + (2,): incompatible
except tf.errors.InvalidArgumentError:
    print("shapes (4, 3) and (2,) cannot be broadcast together")
