# After the run, open the Data tab: each stage of this pipeline with its arguments, the
# element_spec after it, the first images of the first batch, and how fast the loop went.
import numpy as np
import tensorflow as tf

# 6,000 small pictures of a bright box somewhere; the label says if it is wider than tall.
rng = np.random.default_rng(0)
images = np.zeros((6000, 28, 28), np.uint8)
labels = np.zeros(6000, np.int64)
for i in range(6000):
    top, left = rng.integers(0, 14, size=2)
    height, width = rng.integers(4, 14, size=2)
    images[i, top:top + height, left:left + width] = 255
    labels[i] = int(width > height)


def normalise(image, label):
    return tf.cast(image, tf.float32) / 255.0, label


ds = (tf.data.Dataset.from_tensor_slices((images, labels))   # source: one element per image
      .map(normalise, num_parallel_calls=tf.data.AUTOTUNE)   # uint8 -> float32 in [0, 1]
      .shuffle(1024, seed=0)                                 # draws from a buffer of 1024
      .batch(128)                                            # [28, 28] -> [?, 28, 28]
      .prefetch(tf.data.AUTOTUNE))                           # makes the next batch early

print("element_spec:", ds.element_spec)
batches = 0
for x, y in ds:
    batches += 1
print("batches:", batches, "last one:", x.shape)
