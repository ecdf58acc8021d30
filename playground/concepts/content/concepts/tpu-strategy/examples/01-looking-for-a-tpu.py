import tensorflow as tf

print("TPU devices visible:", tf.config.list_logical_devices("TPU"))

try:
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()   # find the TPU
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    strategy = tf.distribute.TPUStrategy(resolver)
    print("TPU cores:", strategy.num_replicas_in_sync)
except (ValueError, tf.errors.NotFoundError) as error:
    print("no TPU on this worker")
    print("the resolver said:", type(error).__name__, "-", str(error).splitlines()[0])
