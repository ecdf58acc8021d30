import sys

import tensorflow as tf

@tf.function
def train_step(step):
    print("step", step)          # TODO: this only runs while tracing
    return step * 2

for s in range(1, 4):
    train_step(tf.constant(s))
