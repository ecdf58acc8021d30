import tensorflow as tf

devices = [d.name for d in tf.config.list_logical_devices("CPU")]
print("logical CPU devices:", devices)

with tf.device("/CPU:0"):
    a = tf.random.uniform([200, 200], seed=1)
with tf.device("/CPU:1"):
    b = tf.matmul(a, a)          # the input is copied to CPU:1 and computed there

print("a lives on:", a.device.split("/")[-1])
print("b lives on:", b.device.split("/")[-1])
print("GPUs here:", tf.config.list_physical_devices("GPU"))
