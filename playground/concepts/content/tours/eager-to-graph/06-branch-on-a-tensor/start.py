import tensorflow as tf

@tf.function
def absolute(x):
    if x.numpy() < 0:            # TODO: a symbolic tensor has no value to read
        return -x
    return x

for value in [-3.0, 2.0]:
    print(f"absolute({value}) = {absolute(tf.constant(value)).numpy()}")
