import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()

# A global batch of 8 numbers is split between the 2 replicas.
ds = tf.data.Dataset.range(1, 9).batch(8)
dist_ds = strategy.experimental_distribute_dataset(ds)

@tf.function
def step(batch):
    def per_replica(x):
        ctx = tf.distribute.get_replica_context()
        tf.print("replica", ctx.replica_id_in_sync_group, "got", x)
        return tf.reduce_sum(x)
    partial_sums = strategy.run(per_replica, args=(batch,))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, partial_sums, axis=None)

for batch in dist_ds:
    shapes = [t.shape.as_list() for t in strategy.experimental_local_results(batch)]
    print("per-replica shapes:", shapes)
    print("sum over replicas:", step(batch).numpy())
