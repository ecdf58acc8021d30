# strategy.run calls the function once per replica. The Replicas tab shows what each replica
# returned, on which device, and what strategy.reduce made of it.
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()
print("replicas:", strategy.num_replicas_in_sync)


def scaled(values):
    replica = tf.distribute.get_replica_context().replica_id_in_sync_group
    return values * tf.cast(replica + 1, tf.float32)


per_replica = strategy.run(scaled, args=(tf.constant([1.0, 2.0]),))
print("per replica:", [v.numpy().tolist() for v in strategy.experimental_local_results(per_replica)])
print("sum:", strategy.reduce("SUM", per_replica, axis=None).numpy().tolist())
print("mean:", strategy.reduce("MEAN", per_replica, axis=None).numpy().tolist())
