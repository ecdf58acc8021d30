# Augmentation you can see: the Data tab shows a grid of images before and after, for the
# layers called on a batch and for the map that augments the training pipeline.
import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
# Letters F at random places: flips and turns show on them.
rng = np.random.default_rng(0)
images = np.zeros((512, 28, 28, 1), "float32")
for i in range(512):
    top, left = rng.integers(2, 10, size=2)
    images[i, top:top + 16, left:left + 3] = 1.0        # the stem
    images[i, top:top + 3, left:left + 12] = 1.0        # the top bar
    images[i, top + 7:top + 10, left:left + 8] = 1.0    # the middle bar
labels = rng.integers(0, 2, 512)

augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                            keras.layers.RandomRotation(0.1)])

# 1. Called on a batch, as you would to look at what it does.
shown = augment(images[:8], training=True)
print("augmented batch:", shown.shape)

# 2. In the training pipeline: every batch gets new random flips and turns.
train = (tf.data.Dataset.from_tensor_slices((images, labels))
         .batch(64)
         .map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
         .prefetch(tf.data.AUTOTUNE))
for x, y in train.take(2):
    pass
print("training batch:", x.shape)
