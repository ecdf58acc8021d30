# Ask for a TPU, fall back without one. The Replicas tab says why the TPU was not there, what
# TPUStrategy would have split (8 cores), and what this run used instead.
import keras
import numpy as np
import tensorflow as tf

try:
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    strategy = tf.distribute.TPUStrategy(resolver)
except (ValueError, tf.errors.NotFoundError) as error:
    print("no TPU:", str(error).splitlines()[0])
    strategy = tf.distribute.MirroredStrategy()
print("using", type(strategy).__name__, "with", strategy.num_replicas_in_sync, "replicas")

keras.utils.set_random_seed(0)
x = np.random.normal(size=(512, 6)).astype("float32")
y = (x.sum(axis=1) > 0).astype("float32")
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(128, drop_remainder=True)   # TPU-ready
with strategy.scope():
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
model.fit(ds, epochs=2, verbose=0)
print("trained")
