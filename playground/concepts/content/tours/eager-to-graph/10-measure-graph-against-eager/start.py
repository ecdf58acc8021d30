import tensorflow as tf


@tf.function
def add_one(x):
    return x + 1.0                  # one tiny op


@tf.function
def many_steps(x):
    for _ in tf.range(100):         # a hundred small updates, all inside the graph
        x = x * 0.99 + 0.01
    return x


value = tf.constant([1.0, 2.0, 3.0])
for _ in range(300):
    add_one(value)
for _ in range(30):
    many_steps(value)
print("many_steps:", many_steps(value).numpy().round(3))
