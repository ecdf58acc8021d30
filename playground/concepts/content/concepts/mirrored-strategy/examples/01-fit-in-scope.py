import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
strategy = tf.distribute.MirroredStrategy()
print("replicas:", strategy.num_replicas_in_sync)

with strategy.scope():                       # variables created here are mirrored
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")

# A Keras 3 variable wraps a TensorFlow one; .value is the TensorFlow variable underneath.
print("kernel variable:", type(model.layers[0].kernel.value).__name__)

x = np.random.normal(size=(1024, 4)).astype("float32")
y = x @ np.array([[1.0], [2.0], [-1.0], [0.5]], dtype="float32")
global_batch = 64 * strategy.num_replicas_in_sync     # 64 examples per replica
history = model.fit(x, y, batch_size=global_batch, epochs=3, verbose=0)
print("global batch:", global_batch, "| loss fell:", history.history["loss"][-1] < history.history["loss"][0])
