# The portable pattern: TPU if there is one, else every local device (mirrored), else default.
import keras
import numpy as np
import tensorflow as tf

def pick_strategy():
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (ValueError, tf.errors.NotFoundError):
        print("no TPU on this worker: falling back")
    if len(tf.config.list_logical_devices("GPU")) + len(tf.config.list_logical_devices("CPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()

keras.utils.set_random_seed(0)
strategy = pick_strategy()
print("using", type(strategy).__name__, "with", strategy.num_replicas_in_sync, "replicas")

x = np.random.normal(size=(512, 6)).astype("float32")
y = (x.sum(axis=1) > 0).astype("int32")
# Fixed-size batches (drop_remainder) are what a TPU needs; they work everywhere.
batch = 64 * strategy.num_replicas_in_sync
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch, drop_remainder=True)

with strategy.scope():
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
history = model.fit(ds, epochs=3, verbose=0)
print("accuracy above 0.85:", history.history["accuracy"][-1] > 0.85)
