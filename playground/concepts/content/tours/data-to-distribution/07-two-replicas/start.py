import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
strategy = tf.distribute.MirroredStrategy()
print("replicas:", strategy.num_replicas_in_sync)

# TODO: create and compile the model inside the strategy's scope
model = keras.Sequential([keras.Input(shape=(4,)),
                          keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")

kernel = model.layers[0].kernel.value
print("variables mirrored:", isinstance(kernel, tf.distribute.DistributedValues))

x = np.random.normal(size=(1024, 4)).astype("float32")
y = x @ np.array([[1.0], [2.0], [-1.0], [0.5]], dtype="float32")
model.fit(x, y, batch_size=64 * strategy.num_replicas_in_sync, epochs=3, verbose=2)
