import tensorflow as tf

print("executing eagerly:", tf.executing_eagerly())
temperatures = tf.constant([18.5, 22.0, 31.5, 27.0])
mean = tf.reduce_mean(temperatures)
print("mean temperature:", mean.numpy())

if mean > 24:                       # a Python if on a real, already computed value
    print("a warm week")
else:
    print("a mild week")
