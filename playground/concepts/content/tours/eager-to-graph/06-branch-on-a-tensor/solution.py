import tensorflow as tf

@tf.function
def absolute(x):
    if x < 0:
        return -x
    return x

for value in [-3.0, 2.0]:
    print(f"absolute({value}) = {absolute(tf.constant(value)).numpy()}")
