import keras
import tensorflow as tf

keras.utils.set_random_seed(0)
strategy = tf.distribute.MirroredStrategy()
GLOBAL_BATCH = 32

x = tf.random.normal([256, 4])
y = tf.reduce_sum(x * [1.0, -2.0, 0.5, 3.0], axis=1, keepdims=True)
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)

with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(0.1)


def replica_step(xb, yb):
    with tf.GradientTape() as tape:
        per_example = tf.reduce_sum((model(xb) - yb) ** 2, axis=1)
        loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


@tf.function
def train_step(batch):
    per_replica = strategy.run(replica_step, args=batch)
    return strategy.reduce("SUM", per_replica, axis=None)


# Each replica gets its half of every batch.
for batch in strategy.experimental_distribute_dataset(dataset):
    loss = train_step(batch)
print("final loss below 1:", float(loss) < 1.0)
