# A custom training step on two replicas. Each replica computes gradients on its half of the
# batch; the optimizer all-reduces them (SUM) so every copy of the weights gets the same update.
# The Replicas tab draws it: each replica's gradient norm, the reduced one, step by step.
import keras
import tensorflow as tf

keras.utils.set_random_seed(0)
strategy = tf.distribute.MirroredStrategy()
GLOBAL_BATCH = 32

x = tf.random.normal([256, 4])
y = tf.reduce_sum(x * [1.0, -2.0, 0.5, 3.0], axis=1, keepdims=True)
dist = strategy.experimental_distribute_dataset(
    tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH))

with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(0.1)


def replica_step(xb, yb):
    with tf.GradientTape() as tape:
        per_example = tf.reduce_sum((model(xb) - yb) ** 2, axis=1)
        loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))   # the all-reduce
    return loss


@tf.function
def train_step(batch):
    per_replica = strategy.run(replica_step, args=batch)
    return strategy.reduce("SUM", per_replica, axis=None)


losses = [float(train_step(batch)) for batch in dist]
print(f"first loss {losses[0]:.2f}, last loss {losses[-1]:.2f}")
print("loss went down:", losses[-1] < losses[0])
