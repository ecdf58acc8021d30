import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
# Letters F at random places: flips and turns show on them.
rng = np.random.default_rng(0)
images = np.zeros((1024, 28, 28, 1), "float32")
for i in range(1024):
    top, left = rng.integers(2, 10, size=2)
    images[i, top:top + 16, left:left + 3] = 1.0        # the stem
    images[i, top:top + 3, left:left + 12] = 1.0        # the top bar
    images[i, top + 7:top + 10, left:left + 8] = 1.0    # the middle bar
labels = rng.integers(0, 2, 1024)

augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                            keras.layers.RandomZoom(0.2)])


def augment_batch(x, y):
    return augment(x, training=True), y


# TODO: augment every training batch: add .map(augment_batch, num_parallel_calls=...) after
# .batch(64), then look at the grid in the Data tab.
train = (tf.data.Dataset.from_tensor_slices((images, labels))
         .shuffle(1024, seed=0)
         .batch(64)
         .prefetch(tf.data.AUTOTUNE))
for x, y in train:
    pass
print("batch shape:", x.shape[1:])
