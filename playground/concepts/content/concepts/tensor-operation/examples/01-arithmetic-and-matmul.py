import tensorflow as tf

a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
b = tf.constant([[10.0, 20.0], [30.0, 40.0]])

print("a + b =\n", (a + b).numpy())          # elementwise
print("a * b =\n", (a * b).numpy())          # elementwise, NOT the matrix product
print("a @ b =\n", tf.matmul(a, b).numpy())  # rows times columns
print("sum of each column:", tf.reduce_sum(a, axis=0).numpy())
print("mean of everything:", tf.reduce_mean(a).numpy())
