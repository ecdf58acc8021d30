import sys

import tensorflow as tf

@tf.function
def train_step(step):
    tf.print("step", step, output_stream=sys.stdout)
    return step * 2

for s in range(1, 4):
    train_step(tf.constant(s))
