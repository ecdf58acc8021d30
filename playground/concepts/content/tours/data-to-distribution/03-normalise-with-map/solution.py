import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
images = rng.integers(0, 256, size=(32, 8, 8, 1), dtype=np.uint8)
images[0, 0, 0, 0], images[0, 0, 1, 0] = 0, 255        # make sure both extremes occur
labels = rng.integers(0, 3, size=(32,))

def normalise(image, label):
    return tf.cast(image, tf.float32) / 255.0, label

ds = (tf.data.Dataset.from_tensor_slices((images, labels))
      .map(normalise, num_parallel_calls=tf.data.AUTOTUNE)
      .batch(32))
batch, _ = next(iter(ds))
print("dtype:", batch.dtype.name)
print(f"range: {float(tf.reduce_min(batch)):.1f} to {float(tf.reduce_max(batch)):.1f}")
