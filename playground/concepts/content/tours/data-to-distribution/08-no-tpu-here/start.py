import keras
import numpy as np
import tensorflow as tf

try:
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    strategy = tf.distribute.TPUStrategy(resolver)
except (ValueError, tf.errors.NotFoundError) as error:
    print("no TPU on this worker:", type(error).__name__)
    strategy = tf.distribute.MirroredStrategy()
print("strategy:", type(strategy).__name__, "| replicas:", strategy.num_replicas_in_sync)

keras.utils.set_random_seed(0)
x = np.random.normal(size=(512, 3)).astype("float32")
y = (x[:, 0] * x[:, 1] > 0).astype("int32")
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(64 * strategy.num_replicas_in_sync,
                                                       drop_remainder=True)
with strategy.scope():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
model.fit(ds, epochs=3, verbose=2)
