import numpy as np
import tensorflow as tf

features = np.arange(20, dtype="float32").reshape(10, 2)
labels = np.array([0, 1] * 5)

ds = tf.data.Dataset.from_tensor_slices((features, labels))
ds = ds  # TODO: batches of 4, without the incomplete last one

count = 0
for x, y in ds:
    print("batch shape:", tuple(x.shape), "labels:", y.numpy())
    count += 1
print("batches:", count)
