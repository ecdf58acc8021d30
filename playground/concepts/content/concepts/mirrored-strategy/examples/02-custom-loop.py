# A custom distributed training loop: the pieces Keras' fit hides.
import tensorflow as tf

tf.random.set_seed(0)
strategy = tf.distribute.MirroredStrategy()
GLOBAL_BATCH = 16 * strategy.num_replicas_in_sync

x = tf.random.normal([256, 3])
y = tf.reduce_sum(x * [2.0, -1.0, 0.5], axis=1, keepdims=True)
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
dist_dataset = strategy.experimental_distribute_dataset(dataset)

with strategy.scope():
    w = tf.Variable(tf.zeros([3, 1]))
    optimizer = tf.keras.optimizers.SGD(0.2)

def replica_step(xb, yb):
    with tf.GradientTape() as tape:
        per_example = tf.reduce_sum((xb @ w - yb) ** 2, axis=1)
        # Divide by the GLOBAL batch so that summing over replicas gives the true mean.
        loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
    optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    return loss

@tf.function
def train_step(batch):
    per_replica = strategy.run(replica_step, args=batch)
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

for epoch in range(3):
    losses = [train_step(batch) for batch in dist_dataset]
    print(f"epoch {epoch}: mean loss {tf.reduce_mean(losses).numpy():.4f}")

print("learned w:", [round(float(v), 2) for v in w.numpy().ravel()])
print("copies identical:", all(tf.reduce_all(c == w.values[0]).numpy() for c in w.values))
