import tensorflow as tf

@tf.function
def add_and_square(a, b):
    return (a + b) ** 2

for i in range(3):
    print(add_and_square(tf.constant(i), tf.constant(1)).numpy())

print("is a tf.function:", hasattr(add_and_square, "get_concrete_function"))
