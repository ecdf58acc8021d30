import tensorflow as tf

default = tf.distribute.get_strategy()          # what you get without choosing
print("default strategy:", type(default).__name__, "| replicas:", default.num_replicas_in_sync)

mirrored = tf.distribute.MirroredStrategy()     # every visible device (here: 2 logical CPUs)
print("mirrored replicas:", mirrored.num_replicas_in_sync)
print("devices:", [d.split("/")[-1] for d in mirrored.extended.worker_devices])

with mirrored.scope():
    v = tf.Variable(1.0)
print("variable inside scope:", type(v).__name__)
print("one copy per device:", [t.device.split("/")[-1] for t in v.values])
