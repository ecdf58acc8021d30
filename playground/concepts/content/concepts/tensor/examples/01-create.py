import tensorflow as tf

scalar = tf.constant(7)
vector = tf.constant([1.0, 2.0, 3.0])
matrix = tf.constant([[1, 2, 3], [4, 5, 6]])
images = tf.zeros([32, 28, 28, 3])

for name, t in [("scalar", scalar), ("vector", vector), ("matrix", matrix), ("images", images)]:
    print(f"{name:7s} rank={t.ndim} shape={t.shape} dtype={t.dtype.name} size={tf.size(t).numpy()}")

print(matrix.numpy())
