import tensorflow as tf

@tf.function
def squares_below(n):
    squares = tf.TensorArray(tf.int32, size=n)
    for i in tf.range(n):
        squares = squares.write(i, i * i)
    return squares.stack()

print(squares_below(tf.constant(6)).numpy())
