import tensorflow as tf

@tf.function
def squares_below(n):
    squares = []                       # TODO: a Python list cannot collect graph-loop values
    for i in tf.range(n):
        squares.append(i * i)
    return tf.stack(squares)

print(squares_below(tf.constant(6)).numpy())
